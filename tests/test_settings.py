"""Production settings: refuse to start without their secrets, and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def manage_python(code, settings_module="salesquota.settings.production", **environ):
    """Run Python code in a fresh process with a settings module (production's environment unless told)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env = {**clean, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": settings_module, **environ}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_settings_pass_the_deployment_checks_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_require_secret_key_and_database_url():
    for missing in ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = manage("check", env=env)
        assert result.returncode != 0
        assert missing in result.stderr


CACHE_OF = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"


@pytest.mark.parametrize(
    ("settings_module", "redis_url", "backend"),
    [
        ("salesquota.settings.production", "redis://redis.internal:6379/0", "redis.RedisCache"),
        ("salesquota.settings.local", "", "filebased.FileBasedCache"),
        ("salesquota.settings.local", "redis://127.0.0.1:6379/0", "redis.RedisCache"),
        ("salesquota.settings.base", "", "filebased.FileBasedCache"),
        ("salesquota.settings.test", "", "locmem.LocMemCache"),
    ],
)
def test_every_settings_module_has_a_real_cache_for_the_login_rate_limits(settings_module, redis_url, backend):
    """allauth's login limits (and the API's) live in the cache: the dummy cache would switch them off."""
    result = manage_python(CACHE_OF, settings_module, REDIS_URL=redis_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"django.core.cache.backends.{backend}"
    assert "DummyCache" not in result.stdout


SETTINGS_MODULES = sorted(
    f"salesquota.settings.{path.stem}"
    for path in (ROOT / "salesquota" / "settings").glob("*.py")
    if path.stem != "__init__"
)


@pytest.mark.parametrize("settings_module", SETTINGS_MODULES)
def test_no_settings_module_uses_the_dummy_cache(settings_module):
    """Every settings module there is, including ones added later."""
    result = manage_python(CACHE_OF, settings_module)
    assert result.returncode == 0, result.stderr
    assert "DummyCache" not in result.stdout
    assert result.stdout.strip().startswith("django.core.cache.backends.")


def test_the_embedded_default_passes_its_checks_without_a_warning(tmp_path):
    """`make run` on SQLite: no system-check warning (the covering index is PostgreSQL's; SQLite skips its
    extra columns)."""
    result = manage("check", "--fail-level", "WARNING", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "W040" not in result.stdout + result.stderr
