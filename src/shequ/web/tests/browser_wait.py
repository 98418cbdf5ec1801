"""Waiting for a page condition without asking the page to evaluate a string.

Playwright's ``wait_for_function`` polls its predicate inside the page by ``eval``; under the enforced
Content-Security-Policy (``script-src 'self'``, no ``'unsafe-eval'``) that is refused whenever the condition is
not already true on the first try. ``page.evaluate`` goes through the DevTools protocol, which the policy does
not govern, so the polling is done from Python instead.
"""

import time


def wait_until(page, expression: str, *, timeout: float = 15.0, interval: float = 0.1) -> None:
    """Poll ``expression`` (a JavaScript expression) until it is truthy; fail with the expression after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(expression):
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"still false after {timeout:g} s: {expression}")
        page.wait_for_timeout(interval * 1000)
