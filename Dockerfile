# Handgrid's image: `docker build -t handgrid .` then `docker run -p 8000:8000 handgrid`.
# Settings are HANDGRID_* environment variables (see the README's "Self-hosting
# with Docker"). The image needs no network at run time: htmx is inside it.
# tests/test_docker.py lints this file with hadolint and starts its CMD exactly.

# 1. htmx from npm, at the version and integrity hash pinned in package-lock.json.
FROM node:22-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

# 2. The app: a slim Python with the runtime requirements only, served by granian.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt ./
# Debian's DejaVu fonts for the worksheet PDFs (app/present/pdf.py reads them from
# /usr/share/fonts/truetype/dejavu): 3 MB; with the typst wheel, the image grows by about 52 MB.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core=2.37-6 \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir -r requirements.txt \
 && groupadd --system --gid 10001 handgrid \
 && useradd --system --no-log-init --uid 10001 --gid 10001 --no-create-home \
      --shell /usr/sbin/nologin handgrid \
 && mkdir /data && chown 10001:10001 /data
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY --from=assets /build/node_modules/htmx.org/dist/htmx.min.js ./static/vendor/htmx.min.js

# Everything above belongs to root and is only read: the server cannot change its
# own code. A numeric user, so that a runtime can check it is not root (runAsNonRoot).
# The one place it writes is /data, its own: the classes' SQLite database, on a
# volume so that it outlives the container (docker run -v handgrid-data:/data ...).
VOLUME /data
USER 10001:10001
# Two workers suit a small school server (Handgrid is CPU-bound and keeps its few
# writes in SQLite on /data: one worker per core); override with -e HANDGRID_WORKERS=4 and so on.
# Every other setting (timeouts, connections, logs) has a default: python -m app.server --help.
ENV HANDGRID_BIND=0.0.0.0:8000 \
    HANDGRID_WORKERS=2 \
    HANDGRID_DATABASE_URL=sqlite:////data/handgrid.db
EXPOSE 8000
# Asks the server's own /healthz from inside the container, on the port HANDGRID_BIND names.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('HANDGRID_BIND', '0.0.0.0:8000').rsplit(':', 1)[1]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
CMD ["python", "-m", "app.server"]
