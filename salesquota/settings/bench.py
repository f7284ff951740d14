"""`make bench`'s web benchmark only (tests/bench/test_bench_web.py), served by gunicorn on 127.0.0.1.

The development settings with production's request path: DEBUG off, database connections kept between requests.
The URLconf adds one minimal view (`/bench/minimal/`), the baseline the pages are measured against; it exists only
in tests/bench/urls.py, which no other settings module names, so it is never reachable in production.
"""

from .local import *  # noqa: F403
from .local import DATABASES, env

DEBUG = False
ROOT_URLCONF = "tests.bench.urls"
# As in production: one database connection per worker, kept between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
