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
# Recycle a worker now and then, as a safety net should a dependency ever leak.
# HANDGRID_MAX_REQUESTS=0 turns it off: the load test (tools/loadtest.py) does, so
# that the worker memory it reports at 10k and 100k requests is the same processes'
# (recycled workers would always look fresh and hide a leak).
max_requests = int(os.environ.get("HANDGRID_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
# The workers' heartbeat files in memory, not on a container's overlay filesystem,
# where a write can stall a worker (gunicorn's advice for Docker).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: Handgrid needs no runtime management (gunicornc), and its
# default path under $HOME is shared by every server of a user and cannot be made
# in the image, whose user has no home directory.
control_socket_disable = True
# Request line and header limits well below gunicorn's defaults: no page needs more.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
