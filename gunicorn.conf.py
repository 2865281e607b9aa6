"""gunicorn settings for Handgrid, shared by `make run`, the Docker image and the tests.

Every setting can be changed from the environment, so one file serves a laptop
and a school server alike.
"""

import os

bind = os.environ.get("HANDGRID_BIND", "0.0.0.0:8000")
# Handgrid is CPU-bound and keeps no state, so one worker per core is the default.
workers = int(os.environ.get("HANDGRID_WORKERS", os.cpu_count() or 2))
threads = 1
timeout = int(os.environ.get("HANDGRID_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("HANDGRID_LOG_LEVEL", "info")
# Bound the memory a worker can grow to by recycling it now and then.
max_requests = 10000
max_requests_jitter = 1000
# Request line and header limits well below gunicorn's defaults: no page needs more.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
