"""Browser journeys in headless Chromium (Debian's chromium driven by Playwright)."""

import pytest

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, flushable_audit):
    context = browser.new_context(locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/accounts/login/" not in u)  # the home page, or a grid worker's phone page


def test_community_worker_browses_to_a_compound(page, live_server):
    """A community worker logs in, opens their community from the territory page and reaches a compound page."""
    t = make_tree()
    staff("community_worker", t["c1"], username="cw")
    _login(page, live_server, "cw")
    assert "社区工作者" in page.inner_text("body")
    page.click("nav.sidebar >> text=辖区浏览")
    page.click(f"#area-counts a[href='/territory/areas/{t['c1'].public_id}/']")
    page.wait_for_url(f"**/territory/areas/{t['c1'].public_id}/")
    assert "洗面桥社区" in page.inner_text("h1")
    page.click("text=锦苑小区")
    page.wait_for_url(f"**/territory/compounds/{t['compound1'].public_id}/")
    body = page.inner_text("body")
    assert "锦苑小区" in body and "1栋" in body and "2栋" in body
    page.click("text=1栋")
    page.wait_for_url(f"**/territory/buildings/{t['b1'].public_id}/")
    assert "1-301" in page.inner_text("body")


def test_micro_grid_worker_gets_404_outside_micro_grid(page, live_server):
    """A micro-grid worker sees their building, and 404 for a building of another micro-grid, page and API."""
    t = make_tree()
    staff("micro_grid_worker", t["m111"], username="mg")
    _login(page, live_server, "mg")
    own = page.goto(f"{live_server.url}/territory/buildings/{t['b1'].public_id}/")
    assert own.status == 200
    other = page.goto(f"{live_server.url}/territory/buildings/{t['b2'].public_id}/")
    assert other.status == 404
    api_own = page.request.get(f"{live_server.url}/api/v1/buildings/{t['b1'].public_id}/")
    api_other = page.request.get(f"{live_server.url}/api/v1/buildings/{t['b2'].public_id}/")
    assert (api_own.status, api_other.status) == (200, 404)
    token = page.request.post(
        f"{live_server.url}/api/v1/auth/token/", data={"username": "mg", "password": PASSWORD}
    ).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    ctx = page.context.request
    assert ctx.get(f"{live_server.url}/api/v1/buildings/{t['b3'].public_id}/", headers=headers).status == 404
