"""Deployment: /healthz, gunicorn's configuration, the Procfile, .env.example and JSON logs in production."""

import json
import logging
import re
import runpy
from pathlib import Path
from unittest import mock

import redis
from django.db import OperationalError
from django.urls import reverse

from .test_settings import manage_python

ROOT = Path(__file__).resolve().parent.parent


# --- /healthz -------------------------------------------------------------------------------------------------


def test_healthz_answers_ok_without_sign_in_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert reverse("healthz") == "/healthz"


def test_healthz_is_503_when_the_database_is_down(client, db, caplog):
    with mock.patch("salesquota.health.connection") as connection, caplog.at_level(logging.ERROR):
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "broker": "ok"}
    assert "connection refused" in caplog.text  # the reason is logged, not shown


def test_healthz_pings_redis_when_it_is_the_broker(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://redis.internal:6379/0"
    with mock.patch("salesquota.health.redis.Redis.from_url") as from_url:
        from_url.return_value.ping.return_value = True
        response = client.get("/healthz")
    assert response.status_code == 200
    from_url.assert_called_once()
    assert from_url.call_args.args == ("redis://redis.internal:6379/0",)
    from_url.return_value.ping.assert_called_once_with()


def test_healthz_is_503_when_redis_does_not_answer(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://redis.internal:6379/0"
    with mock.patch("salesquota.health.redis.Redis.from_url") as from_url:
        from_url.return_value.ping.side_effect = redis.ConnectionError("Connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unavailable"}


def test_healthz_checks_the_filesystem_brokers_folder(client, db, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    assert client.get("/healthz").status_code == 200
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_healthz_is_not_redirected_to_https_unlike_the_pages(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # as production sets it (see test_production_settings_…)
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_healthz_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405


# --- gunicorn, Procfile, .env.example -------------------------------------------------------------------------


def gunicorn_config(monkeypatch, **environ):
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_config_reads_port_and_concurrency_from_the_environment(monkeypatch):
    config = gunicorn_config(monkeypatch, PORT="5123", WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.2")
    assert config["bind"] == "0.0.0.0:5123"
    assert config["workers"] == 3
    assert config["forwarded_allow_ips"] == "10.0.0.2"
    assert config["accesslog"] == "-"  # stdout
    assert config["timeout"] == 30


def test_gunicorn_config_defaults_to_two_workers_per_core_plus_one(monkeypatch):
    with mock.patch("multiprocessing.cpu_count", return_value=4):
        config = gunicorn_config(monkeypatch)
    assert config["workers"] == 9
    assert config["bind"] == "0.0.0.0:8000"


def test_procfile_runs_web_worker_beat_and_migrates_on_release():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and not line.startswith("#")
    )
    assert set(processes) == {"web", "worker", "beat", "release"}
    assert processes["web"].split()[:2] == ["gunicorn", "salesquota.wsgi"]
    assert "gunicorn.conf.py" in processes["web"]
    assert "celery -A salesquota worker" in processes["worker"]
    assert "celery -A salesquota beat" in processes["beat"]
    assert "manage.py migrate" in processes["release"]
    assert "check --deploy" in processes["release"]


def test_env_example_lists_every_variable_the_settings_and_gunicorn_read():
    read = set()
    for path in [*sorted((ROOT / "salesquota" / "settings").glob("*.py")), ROOT / "gunicorn.conf.py"]:
        source = path.read_text()
        read |= set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
        read |= set(re.findall(r"""os\.environ(?:\.get)?[\[(]\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PORT", "WEB_CONCURRENCY"} <= read
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert read - listed == set()


# --- JSON logs in production ----------------------------------------------------------------------------------


def test_production_logs_are_json_lines_on_stdout():
    result = manage_python(
        "import django, logging; django.setup();"
        "logging.getLogger('salesquota.deploy_test').warning('disk %s is full', 'var', extra={'organization': 7})"
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["message"] == "disk var is full"
    assert line["level"] == "WARNING"
    assert line["logger"] == "salesquota.deploy_test"
    assert line["organization"] == 7
    assert "time" in line


def test_production_settings_use_the_json_formatter_for_every_handler():
    result = manage_python(
        "import json; from django.conf import settings as s;"
        "print(json.dumps({'formatters': s.LOGGING['formatters'], 'handlers': s.LOGGING['handlers'],"
        "'exempt': s.SECURE_REDIRECT_EXEMPT, 'hijack': s.CELERY_WORKER_HIJACK_ROOT_LOGGER}))"
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert {handler["formatter"] for handler in config["handlers"].values()} == {"json"}
    assert config["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"
    assert config["hijack"] is False  # Celery logs through the same JSON handler
    assert any(re.search(pattern, "healthz") for pattern in config["exempt"])

