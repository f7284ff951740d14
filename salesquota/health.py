"""GET /healthz: is this process able to serve? For load balancers, orchestrators and uptime checks.

Checks the database (SELECT 1) and the Celery broker (Redis: PING; the embedded filesystem broker: its folder
exists). Answers 200 {"database": "ok", "broker": "ok"}, or 503 naming what failed. No sign-in, no organization,
never cached; the reason of a failure is logged, not shown.
"""

import logging
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database does not answer")
        return False


def broker_ok() -> bool:
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://")):
            client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
            try:
                return bool(client.ping())
            finally:
                client.close()
        if url.startswith("filesystem://"):
            folder = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("data_folder_in", "")
            if folder and Path(folder).is_dir():
                return True
            logger.error("Health check: the broker folder %r does not exist", folder)
            return False
        if url.startswith("memory://"):
            return True  # in-process (tests)
        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1)
        return True
    except Exception:
        logger.exception("Health check: the broker does not answer")
        return False


@never_cache
@require_safe
def healthz(request):
    checks = {"database": database_ok(), "broker": broker_ok()}
    body = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
