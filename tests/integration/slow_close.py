"""Loaded into the kill test's Celery worker (`celery -A salesquota worker --include tests.integration.slow_close`).

The application's own worker, with two test-only changes, both from the environment the test sets:
- KILL_TEST_VISIBILITY_TIMEOUT: the Redis broker's visibility timeout in seconds (3600 in the settings), and a
  restore sweep every second, so that the messages a killed worker held come back within seconds;
  KILL_TEST_KEY_PREFIX: a prefix for every Redis key, so that a test run meets no other run's messages;
- KILL_TEST_CLOSE_SECONDS: each pool process sleeps this long inside the close's transaction (after claiming
  the period and inserting its close record, before computing the results), having first appended
  "<pid> <period id>" to the file KILL_TEST_MARKERS, so that the test knows which process is mid-close.
Nothing in the application imports this module.
"""

import os
import time

from celery.signals import worker_process_init

from salesquota.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": int(os.environ["KILL_TEST_VISIBILITY_TIMEOUT"]),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "global_keyprefix": os.environ["KILL_TEST_KEY_PREFIX"],
}


@worker_process_init.connect
def slow_down_the_close(**kwargs):
    seconds = float(os.environ.get("KILL_TEST_CLOSE_SECONDS") or 0)
    if not seconds:
        return
    from quotas.services import close

    compute = close.targets_for_period

    def targets_for_period(*, organization, reps, kind, start, end, settings):
        period_id = close.Period.objects.get(organization=organization, kind=kind, start=start).pk
        with open(os.environ["KILL_TEST_MARKERS"], "a") as markers:
            markers.write(f"{os.getpid()} {period_id}\n")
        time.sleep(seconds)
        return compute(organization=organization, reps=reps, kind=kind, start=start, end=end, settings=settings)

    close.targets_for_period = targets_for_period
