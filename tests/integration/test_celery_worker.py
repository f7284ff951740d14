"""The real thing: separate processes talking through Redis, sharing the committed test database.

A "web" process (a management shell with the local settings) invites someone; after commit the task is
published to Redis; a real Celery worker process picks it up and sends the e-mail (console backend: the
message appears on the worker's output).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from accounts.models import Invitation

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)

INVITE = """
from accounts import services
from accounts.models import Membership
admin = Membership.objects.get(organization__slug="alpha", role="admin")
services.invitation_create(organization=admin.organization, invited_by=admin.user,
                           email="through-redis@example.com", role="rep")
"""


@pytest.fixture
def redis_url():
    url = settings.REDIS_TEST_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and is not reachable at {url}")
        pytest.skip(f"Redis is not reachable at {url}; CI starts it and runs this test")
    return url


@pytest.fixture
def process_env(redis_url):
    """Environment for the app's own processes: local settings, the test database, the tests' Redis."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salesquota.settings.local",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "SITE_URL": "https://salesquota.test",
    }


@pytest.fixture
def worker_log(process_env, tmp_path):
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "salesquota", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=process_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield log
        assert worker.poll() is None, "the worker died"
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def wait_for(log: Path, text: str, timeout: float = 45) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text()
        if text in content:
            return content
        time.sleep(0.25)
    raise AssertionError(f"{text!r} did not appear in the worker's output:\n{log.read_text()[-3000:]}")


def test_invitation_email_is_sent_by_a_real_worker_through_redis(org_a, process_env, worker_log):
    wait_for(worker_log, "ready.")
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", INVITE], cwd=ROOT, env=process_env, check=True, timeout=60
    )
    invitation = Invitation.objects.get(email="through-redis@example.com")
    output = wait_for(worker_log, "To: through-redis@example.com")
    assert "https://salesquota.test/invitations/" in output
    assert "send_invitation_email_task[" in wait_for(worker_log, "succeeded in")
    assert invitation.organization == org_a.organization
