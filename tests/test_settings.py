"""Production settings: refuse to start without their secrets, and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "salesquota.settings.production",
    "DJANGO_SECRET_KEY": "x7!kq2m@v9#p4z&w1r8t$y6u3i0o5e-a+s=d^f*g(h)j_k~l[n]b{c}",
    "DATABASE_URL": "postgres://salesquota@db.internal:5432/salesquota",
    "DJANGO_ALLOWED_HOSTS": "salesquota.example.com",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_settings_pass_the_deployment_checks_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_require_secret_key_and_database_url():
    for missing in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = manage("check", env=env)
        assert result.returncode != 0
        assert missing in result.stderr
