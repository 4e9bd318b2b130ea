"""Gunicorn in the container (the Dockerfile's CMD). Each value can be changed by environment variable.

Every log line, gunicorn's own and the access log included, is one JSON object on stdout, in the same
shape as the portal's (vamos.logging.JsonFormatter).
"""

import os

# Inside a container, listening on every interface is the point: the proxy in front reaches us there.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# About two workers per core; the default 4 suits a 2-core machine.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Start each worker afresh now and then, so that a slow leak cannot grow without bound.
max_requests = 1000
max_requests_jitter = 100
# Workers' heartbeat files in memory rather than on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn creates its own private files there
# gunicornc's control socket in a place the unprivileged user can write (the code under /app is read-only).
control_socket = "/tmp/gunicorn.ctl"  # noqa: S108 - a socket, created with mode 0600

accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "vamos.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}
