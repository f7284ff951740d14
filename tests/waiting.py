"""Waiting for another process (a worker, a server) in tests and benchmarks: always bounded."""

import time


def wait_until(condition, what: str, *, timeout: float, every: float = 0.1):
    """Poll `condition` every `every` seconds until it returns something true (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"waited {timeout} s for {what}")
