"""`make bench`: the production settings, plus the bare view and the query-count header (vamos.bench).

Started by scripts/bench.py with a production-like environment (SECRET_KEY, ALLOWED_HOSTS, REDIS_URL,
INSECURE_LOCAL_HTTP for plain HTTP on 127.0.0.1). Only the URLconf, one middleware and the mail log are
added, so what is measured is what production runs.
"""

from .production import *  # noqa: F403
from .production import MIDDLEWARE, VAR_DIR

ROOT_URLCONF = "vamos.bench.urls"
MIDDLEWARE = ["vamos.bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
BENCH_MAIL_LOG = str(VAR_DIR / "bench" / "mail.log")
