"""gunicorn's settings: `gunicorn salesquota.wsgi` reads this file from the working directory (the Procfile's web
process). Everything a platform varies comes from the environment; see the README's Production section."""

import multiprocessing
import os

# Platforms (Heroku, Render, Fly, Dokku…) say which port to listen on.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Synchronous workers: 2 × cores + 1 unless WEB_CONCURRENCY says otherwise (memory-bound machines set it lower).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# A request taking longer than this is killed and logged; no page should come near it (the CSV import of
# 50,000 rows is the slowest, well under it).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows unbounded.
max_requests = 1000
max_requests_jitter = 100
# Access log on stdout, errors on stderr; the platform collects both (Django's own logs are JSON lines on stdout).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Trust X-Forwarded-* (the scheme, for HTTPS) only from the proxy in front: set to its address, or "*" where
# only the platform's router can reach the process.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a possibly slow disk (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
