# Handgrid: `make run` installs everything and serves the app on
# http://127.0.0.1:8000; `make test` installs everything and runs every test;
# `make test-fast` runs the core and route tests alone (no browser, no server).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX := static/vendor/htmx.min.js
CHROMIUM ?= /usr/bin/chromium
WRK ?= /usr/bin/wrk
BIND ?= 127.0.0.1:8000
# pytest-xdist: one worker per core. worksteal hands each worker a contiguous half
# of the tests (so a module's fixtures are mostly set up once) and rebalances at
# the end. Not loadscope or loadgroup: they merge tests that share a node id, and
# schemathesis gives its parametrized tests one id, so some would never run.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist worksteal
# Let Python keep compiled modules: pytest rewrites the asserts of its plugins
# (schemathesis and hypothesis: about 380 modules) in every worker of every run
# when this is set, as it may be on a machine that keeps its trees clean.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run test test-fast coverage browser fonts wrk postgres nginx loadtest bench compare-servers tutor-report clean

install: $(VENV)/.installed $(HTMX)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# htmx comes from npm at the version pinned in package-lock.json.
$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# Debian's chromium for the end-to-end tests (Playwright's own download is not used),
# poppler-utils, whose pdftotext reads the printed worksheets back, zbar-tools, whose
# zbarimg decodes their QR codes, and the DejaVu fonts the worksheet PDFs are set in.
browser:
	@test -x $(CHROMIUM) && test -x /usr/bin/pdftotext && test -x /usr/bin/zbarimg \
	  && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core poppler-utils zbar-tools > /dev/null; }

# Debian's DejaVu fonts, which the worksheet PDFs are set in (app/present/pdf.py).
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    fonts-dejavu-core > /dev/null; }

# Debian's PostgreSQL, which tests/realpg.py starts itself (initdb in a temporary directory,
# a loopback port, an unprivileged user), and Debian's nginx, the real proxy tools/proxy.py puts
# in front of app replicas. The tests never use the packages' own cluster or service.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || { \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    postgresql > /dev/null; }

nginx:
	@test -x /usr/sbin/nginx || { \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    nginx > /dev/null; }

# Debian's wrk drives the load test (tools/loadtest.py) and its smoke test in the suite.
wrk:
	@test -x $(WRK) || { \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    wrk > /dev/null; }

# The full load test whose figures are in the README (2 to 3 minutes on 2 cores), then
# a class of 300 checking at once, and again with the server killed mid-load (tools/classload.py).
loadtest: install wrk
	$(BIN)/python tools/loadtest.py
	$(BIN)/python tools/classload.py --students 300 --checks 20
	$(BIN)/python tools/classload.py --students 300 --checks 20 --kill

# Throughput ratios, scaling, replicas behind nginx, PostgreSQL against SQLite, the dashboard's growth,
# generation tails, page weight (tools/bench.py, tools/bench_scale.py; about 6.5 minutes).
bench: install fonts wrk nginx postgres
	$(BIN)/python tools/bench.py

# How honest the tutor's slip messages are, against a simulated student (tools/tutor_report.py).
tutor-report: install
	$(BIN)/python tools/tutor_report.py

# The production servers compared side by side (tools/servers.py; about 6 minutes).
compare-servers: install wrk
	$(BIN)/python tools/servers.py

run: install fonts
	HANDGRID_BIND=$(BIND) $(BIN)/python -m app.server

# Everything, on every core; then the few tests that hold a latency budget, alone.
test: install browser wrk postgres nginx
	$(PYTEST) -m "not alone"
	$(BIN)/python -m pytest -m alone

test-fast: install
	$(PYTEST) -m "not browser and not system"

# Line and branch coverage of app/ by the fast tier, in one process.
coverage: install
	$(BIN)/coverage run -m pytest -n 0 -q -m "not browser and not system"
	$(BIN)/coverage report

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .hypothesis .coverage
