"""`make bench`: requests per second of the busiest pages through a real web server. Prints a table; asserts only
that every benchmarked request was answered 200.

gunicorn (the repository's gunicorn.conf.py, bound to 127.0.0.1, 2 synchronous workers) serves
salesquota.settings.bench — the local settings with DEBUG off, persistent database connections and two baseline
views (tests/bench/urls.py) — on a database of its own: PostgreSQL when TEST_POSTGRES_URL's server answers (a database
`salesquota_bench_web`, created and dropped here), else a SQLite file. tests/bench/web_setup.py builds one
organization with a manager and a team of 50 reps with a month of activity and a weekly plan, and signs them in.
Debian's `wrk` (installed with apt-get when missing and possible) then drives each page with the Lua scripts of
tests/bench/wrk/: the minimal view, an empty page in the site's layout (organization, role check, base.html with
its navigation: what every page costs before its content), the Today page GET, the Today log POST (htmx, "+1"),
and the team dashboard.

Each page's requests per second is a ratio to the minimal view measured in the same run, interleaved in rounds
and taking each page's best round: the figures are for comparing pages with each other on whatever machine runs
them (targets: Today GET ≥ 0.6, log POST ≥ 0.15, dashboard ≥ 0.2). Beside it, the CPU per request of the gunicorn
and PostgreSQL processes (CpuMeter), which other load on the machine hardly moves. The dashboard's p95 latency is
then measured under 16 connections.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORK_DIR = ROOT / "var" / "bench-web"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/salesquota")
DATABASE_NAME = "salesquota_bench_web"
SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "8"))  # per page and round
ROUNDS = int(os.environ.get("BENCH_WEB_ROUNDS", "3"))
CONNECTIONS = 4  # two workers kept busy, with a request waiting for each
P95_CONNECTIONS = 16
TARGETS = {"today": 0.6, "log": 0.15, "dashboard": 0.2}


def test_bench_web_pages_against_a_minimal_view():
    wrk = wrk_path()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    with bench_database() as (database_url, database_label, database_pids):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "salesquota.settings.bench",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            **production_cache(),
        }
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tests.bench.web_setup", str(WORK_DIR)], cwd=ROOT, env=env, check=True)
        setup = json.loads((WORK_DIR / "setup.json").read_text())
        print(f"\nbench web   {database_label}; {setup['reps']} reps, {setup['entries']:,} entries; migrated and "
              f"seeded in {time.perf_counter() - started:.0f} s")  # fmt: skip
        with gunicorn(env) as (port, server_pid):
            meter = CpuMeter(server_pid=server_pid, database_pids=database_pids)
            results = run_pages(wrk, port, setup, meter)
    print_table(results, setup)
    assert all(r["not_200"] == 0 and r["socket_errors"] == 0 for rs in results.values() for r in rs), (
        "some benchmarked requests were not answered 200: see var/bench-web/gunicorn.log"
    )


def wrk_path() -> str:
    """Debian's wrk; installed with apt-get when missing and this is root on a Debian-like system."""
    found = shutil.which("wrk")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        print("\nbench web   wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if found is None:
        message = "wrk is not installed and could not be installed (apt-get install wrk): the web benchmark is skipped"
        print(f"\nbench web   {message}")
        pytest.skip(message)
    return found


def production_cache() -> dict[str, str]:
    """REDIS_URL (the cache, as in production) when the tests' Redis answers; else the file cache of the local
    settings."""
    import redis
    from django.conf import settings

    url = getattr(settings, "REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError:
        print(f"\nbench web   Redis does not answer at {url}: the pages use the file cache")
        return {}
    return {"REDIS_URL": url}


def postgres_answers() -> bool:
    try:
        import psycopg

        psycopg.connect(POSTGRES_URL, dbname="postgres", connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: use SQLite
        return False
    return True


@contextmanager
def bench_database():
    """(DATABASE_URL, label, database_pids) of an empty database that is removed afterwards; database_pids()
    lists the PostgreSQL server processes serving it (None for SQLite: there the database works inside gunicorn)."""
    if postgres_answers():
        import psycopg

        def admin(sql):
            with psycopg.connect(POSTGRES_URL, dbname="postgres", autocommit=True) as connection:
                connection.execute(sql)

        admin(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        admin(f"CREATE DATABASE {DATABASE_NAME}")

        def database_pids():
            with psycopg.connect(POSTGRES_URL, dbname="postgres", autocommit=True) as connection:
                rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DATABASE_NAME])
                return [pid for (pid,) in rows]

        base, _slash, _name = POSTGRES_URL.rpartition("/")
        try:
            yield f"{base}/{DATABASE_NAME}", f"PostgreSQL ({DATABASE_NAME})", database_pids
        finally:
            admin(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
    else:
        path = WORK_DIR / "bench-web.sqlite3"
        path.unlink(missing_ok=True)
        try:
            label = f"SQLite ({path.relative_to(ROOT)}; PostgreSQL did not answer at {POSTGRES_URL})"
            yield f"sqlite:///{path}", label, None
        finally:
            for leftover in WORK_DIR.glob("bench-web.sqlite3*"):
                leftover.unlink()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env):
    """The production web server's own configuration (gunicorn.conf.py when present), on 127.0.0.1 with 2 workers
    and without the periodic worker recycling (a restart inside a short measurement would weigh on it)."""
    port = free_port()
    config = ["--config", "gunicorn.conf.py"] if (ROOT / "gunicorn.conf.py").exists() else ["--timeout", "30"]
    command = [
        sys.executable, "-m", "gunicorn", "salesquota.wsgi:application", *config,
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--max-requests", "0",
    ]  # fmt: skip
    with open(WORK_DIR / "gunicorn.log", "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(port, server)
            yield port, server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited: see var/bench-web/gunicorn.log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/bench/minimal/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s: see var/bench-web/gunicorn.log")


class CpuMeter:
    """CPU seconds used by gunicorn (master and workers) and by the PostgreSQL processes of the bench database,
    from /proc (Linux; elsewhere nothing is measured). Per request, it is what a page costs whatever else the
    machine is doing: requests per second move with the machine's other load, CPU per request hardly does."""

    TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, *, server_pid: int, database_pids):
        self.server_pid = server_pid
        self.database_pids = database_pids
        self.available = Path(f"/proc/{server_pid}/stat").exists()

    @classmethod
    def stat(cls, pid) -> list[str] | None:
        try:  # the fields after "(command)": state is field 3, ppid 4, utime 14, stime 15
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None

    def snapshot(self) -> dict[tuple[str, int], float]:
        if not self.available:
            return {}
        app = [self.server_pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (fields := self.stat(entry.name)) and fields[1] == str(self.server_pid):
                app.append(int(entry.name))
        processes = [("app", pid) for pid in app]
        processes += [("db", pid) for pid in (self.database_pids() if self.database_pids else [])]
        cpu = {}
        for kind, pid in processes:
            if fields := self.stat(pid):
                cpu[(kind, pid)] = (int(fields[11]) + int(fields[12])) / self.TICKS
        return cpu

    @staticmethod
    def per_request_ms(before: dict, after: dict, requests: int) -> dict[str, float | None]:
        used = {"app": 0.0, "db": 0.0}
        for (kind, pid), seconds in after.items():
            used[kind] += seconds - before.get((kind, pid), 0.0)
        if not after or not requests:
            return {"app_cpu_ms": None, "db_cpu_ms": None}
        return {"app_cpu_ms": used["app"] * 1000 / requests, "db_cpu_ms": used["db"] * 1000 / requests}


def wrk_run(wrk: str, port: int, *, script: str, path: str, sessions: str, seconds: int, connections: int,
            meter: CpuMeter, extra_env=None) -> dict:  # fmt: skip
    env = {**os.environ, "BENCH_SESSIONS": str(WORK_DIR / sessions), "BENCH_PATH": path, **(extra_env or {})}
    threads = 2 if connections > 4 else 1
    before = meter.snapshot()
    completed = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", f"tests/bench/wrk/{script}", f"http://127.0.0.1:{port}{path}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    after = meter.snapshot()
    line = next((line for line in completed.stdout.splitlines() if line.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    result = json.loads(line.removeprefix("WRK_RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result.update(meter.per_request_ms(before, after, result["requests"]))
    return result


def run_pages(wrk: str, port: int, setup: dict, meter: CpuMeter) -> dict[str, list[dict]]:
    pages = {
        "minimal": {"script": "get.lua", "path": setup["minimal_path"], "sessions": "reps.txt"},
        "layout": {"script": "get.lua", "path": setup["layout_path"], "sessions": "reps.txt"},
        "today": {"script": "get.lua", "path": setup["today_path"], "sessions": "reps.txt"},
        "log": {
            "script": "log.lua", "path": setup["log_path"], "sessions": "reps.txt",
            "extra_env": {"BENCH_TYPE": str(setup["activity_type"]), "BENCH_DATE": setup["date"]},
        },  # fmt: skip
    }
    if setup["dashboard_path"]:
        pages["dashboard"] = {"script": "get.lua", "path": setup["dashboard_path"], "sessions": "manager.txt"}
    for page in pages.values():  # warm every worker up: imports, templates, connections
        wrk_run(wrk, port, **page, seconds=2, connections=CONNECTIONS, meter=meter)
    results = {name: [] for name in pages}
    for _round in range(ROUNDS):  # interleaved, so that a burst of load from elsewhere hits every page alike
        for name, page in pages.items():
            results[name].append(wrk_run(wrk, port, **page, seconds=SECONDS, connections=CONNECTIONS, meter=meter))
    if "dashboard" in pages:
        results["dashboard_16"] = [
            wrk_run(wrk, port, **pages["dashboard"], seconds=max(SECONDS, 10), connections=P95_CONNECTIONS, meter=meter)
        ]
    return results


def print_table(results: dict[str, list[dict]], setup: dict) -> None:
    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
    cpu = {name: cpu_ms(runs) for name, runs in results.items()}
    labels = {
        "minimal": "minimal Django view (baseline)",
        "layout": "empty page in the site's layout",
        "today": "Today page GET (rep)",
        "log": "log POST, htmx +1 (rep)",
        "dashboard": f"team dashboard GET ({setup['reps']} reps)",
    }
    print(f"bench web   gunicorn 2 workers, wrk {CONNECTIONS} connections, best of {ROUNDS} × {SECONDS} s per page; "
          f"CPU per request = gunicorn + database processes, least of the rounds")  # fmt: skip
    print(f"| {'page':<32} | {'req/s':>6} | {'ratio':>5} | {'target':>6} | {'CPU ms/req (app + db)':>21} | "
          f"{'CPU ratio':>9} | {'p50 ms':>6} | {'p95 ms':>6} |")  # fmt: skip
    print("|" + "|".join("-" * (width + 2) for width in (32, 6, 5, 6, 21, 9, 6, 6)) + "|")
    for name, label in labels.items():
        if name not in best:
            print(f"| {label:<32} | dashboard not present in this checkout: skipped |")
            continue
        result = best[name]
        ratio = result["rps"] / best["minimal"]["rps"]
        target = f"≥ {TARGETS[name]}" if name in TARGETS else ""
        if cpu[name] and cpu["minimal"]:
            app, db = cpu[name]
            cpu_text = f"{app + db:6.1f} ({app:.1f} + {db:.1f})"
            cpu_ratio = f"{sum(cpu['minimal']) / (app + db):9.2f}"
        else:
            cpu_text, cpu_ratio = "not measured", ""
        print(f"| {label:<32} | {result['rps']:6.0f} | {ratio:5.2f} | {target:>6} | {cpu_text:>21} | {cpu_ratio:>9} | "
              f"{result['p50_us'] / 1000:6.1f} | {result['p95_us'] / 1000:6.1f} |")  # fmt: skip
    if "dashboard_16" in best:
        result = best["dashboard_16"]
        print(f"bench web   team dashboard under {P95_CONNECTIONS} connections: {result['rps']:.0f} req/s, "
              f"p50 {result['p50_us'] / 1000:.0f} ms, p95 {result['p95_us'] / 1000:.0f} ms, "
              f"p99 {result['p99_us'] / 1000:.0f} ms")  # fmt: skip
    spread = {name: [round(r["rps"]) for r in runs] for name, runs in results.items() if name != "dashboard_16"}
    print(f"bench web   every round's req/s (the spread is other load on the machine): {spread}")


def cpu_ms(runs: list[dict]) -> tuple[float, float] | None:
    """(app, db) CPU milliseconds per request of the least costly round, or None when not measured."""
    measured = [(r["app_cpu_ms"], r["db_cpu_ms"]) for r in runs if r["app_cpu_ms"] is not None]
    return min(measured, key=sum) if measured else None
