"""Shared fixtures of the browser journeys: one headless Chromium (Debian's, driven by Playwright) per module."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("SHEQU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not found at {CHROMIUM}")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def desk(browser, flushable_audit):
    """A page on a 1366×768 desktop in Chinese, the office workers' screen (phones: see test_browser_cases)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


# Every page the journeys open runs under the enforced Content-Security-Policy; a violation (an inline script,
# handler or style, an eval) shows in Chromium's console as "Refused to … Content Security Policy …".
_csp_violations: list[str] = []


def _watch_csp(context) -> None:
    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            _csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Fail a browser journey when any page it opened reported a Content-Security-Policy violation."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    if not getattr(browser, "_shequ_csp_watch", False):
        new_context = browser.new_context

        def watched_new_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            _watch_csp(context)
            return context

        browser.new_context = watched_new_context
        browser._shequ_csp_watch = True
    _csp_violations.clear()
    yield
    found = list(_csp_violations)
    _csp_violations.clear()
    assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)
