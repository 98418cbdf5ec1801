"""Hostile input never reaches a view or the database: NUL characters and deeply nested JSON answer 400.

PostgreSQL refuses U+0000 in text and jsonb, so a NUL reaching a query answered 500 there (SQLite let it
through), and Python's json parser recurses once per level, so ten thousand `[` ended in RecursionError.
Every URL pattern of the project (pages, admin, resident portal, REST API, Open311) is filled with plausible
path values and sent, by an anonymous visitor and by a signed-in staff user:

- a NUL in a query parameter, in a urlencoded form field and (escaped as \\u0000) in a JSON field;
- a NUL in each string segment of the path;
- a JSON body nested 10,000 levels deep;

and each answers 400 in the dialect of its part of the site (an HTML page, the API's `{"detail": …}`,
Open311's error list in JSON or XML), with no row written anywhere. Multipart bodies are checked when they
are parsed: every pattern answers below 500 and writes nothing, and the views that parse them answer 400.
"""

import io
import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern
from PIL import Image

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.cases.tests import factories as case_factories
from shequ.core.hostile_input import json_problem
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 10_000 + "]" * 10_000
NUL_JSON = json.dumps({"description": "楼道堆放杂物\x00", "title": "x"})  # json.dumps writes the NUL as \u0000
SOME_UUID = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"
GENERIC_VALUES = (SOME_UUID, "1", "abc", "S01-01-001", "nowhere/")
NAMED_VALUES = {"fmt": ("json", "xml"), "format": ("json", "xml", ".json"), "action": ("accept",)}

# --- every URL pattern, filled -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: the route Django reports when it matches, a path that reaches it, and the paths that
    reach it with a NUL in one of its string segments (percent-encoded, as a client sends it)."""

    route: str
    path: str
    nul_paths: tuple[str, ...]


def _segments(pattern: Any) -> list[tuple[str, str | None, str]]:
    """A pattern as (kind, name, text) parts: ("lit", None, literal text) or ("param", name, its regex)."""
    raw = str(pattern)
    parts: list[tuple[str, str | None, str]] = []
    if isinstance(pattern, RoutePattern):  # a path() route: <conv:name>
        pos = 0
        for match in re.finditer(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>", raw):
            parts.append(("lit", None, raw[pos : match.start()]))
            parts.append(("param", match["name"], pattern.converters[match["name"]].regex))
            pos = match.end()
        parts.append(("lit", None, raw[pos:]))
        return parts
    regex = raw.removeprefix("^").removesuffix("$")
    pos = 0
    for match in re.finditer(r"\(\?P<(\w+)>", regex):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[end], 0) if regex[end - 1] != "\\" else 0
            end += 1
        parts.append(("lit", None, regex[pos : match.start()]))
        parts.append(("param", match.group(1), regex[match.end() : end - 1]))
        pos = end
    parts.append(("lit", None, regex[pos:]))
    # Literal parts of these regexes are plain text with escaped dots and an optional trailing slash.
    return [
        (kind, name, re.sub(r"\\(.)", r"\1", text.replace("/?", "/")) if kind == "lit" else text)
        for kind, name, text in parts
    ]


def _candidates(name: str, regex: str) -> list[str]:
    literal_choices = re.fullmatch(r"\(?([\w|]+)\)?", regex)
    choices = literal_choices.group(1).split("|") if literal_choices and "|" in regex else []
    return [*NAMED_VALUES.get(name, ()), *choices, *GENERIC_VALUES]


def _fill(parts: list[tuple[str, str | None, str]], nul_param: str | None = None) -> str | None:
    out = []
    for kind, name, text in parts:
        if kind == "lit":
            out.append(text)
            continue
        assert name is not None
        value = next((v for v in _candidates(name, text) if re.fullmatch(text, v)), None)
        if name == nul_param:
            value = "a\x00b" if re.fullmatch(text, "a\x00b") else None
        if value is None:
            return None
        out.append(value)
    return "/" + "".join(out)


def _leaves(patterns: list[Any], chain: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _leaves(p.url_patterns, (*chain, p.pattern))
        elif isinstance(p, URLPattern):
            found.append((*chain, p.pattern))
    return found


def _resolves_to(path: str, route: str) -> bool:
    try:
        return resolve(path).route == route
    except Resolver404:
        return False


def all_routes() -> list[Route]:
    """Every URL pattern of the project with a path that Django resolves to it (fails if one cannot be made)."""
    routes = []
    for chain in _leaves(get_resolver().url_patterns):
        route = "".join(str(p).removeprefix("^") for p in chain)
        parts = [part for p in chain for part in _segments(p)]
        path = _fill(parts)
        assert path is not None and _resolves_to(path, route), f"cannot fill {route!r} (got {path!r})"
        nul_paths = []
        for name in [n for kind, n, _t in parts if kind == "param"]:
            with_nul = _fill(parts, nul_param=name)
            if with_nul is not None and _resolves_to(with_nul, route):
                nul_paths.append(with_nul.replace("\x00", "%00"))
        routes.append(Route(route, path, tuple(nul_paths)))
    return routes


def test_every_pattern_is_filled():
    """The enumeration reaches every URL pattern, including the admin, the portal, the API and Open311."""
    routes = all_routes()
    assert len(routes) == len(_leaves(get_resolver().url_patterns))
    prefixes = {r.path.split("/")[1] for r in routes}
    assert {"admin", "accounts", "cases", "registry", "portal", "open311", "api"} <= prefixes
    assert any("%00" in p and p.startswith("/portal/cases/") for r in routes for p in r.nul_paths)
    assert any("%00" in p and p.startswith("/open311/v2/requests/") for r in routes for p in r.nul_paths)


# --- the world and the clients -----------------------------------------------------------------------------


def _row_counts(*, except_sessions: bool = False) -> dict[str, int]:
    """Rows per model; `except_sessions` leaves out sessions, which a view that never reads the body may
    still write (the portal's logout starts a fresh one)."""
    models = [m for m in apps.get_models() if not m._meta.proxy]
    skip = {"sessions.Session"} if except_sessions else set()
    return {m._meta.label: m._default_manager.count() for m in models if m._meta.label not in skip}


@pytest.fixture
def world():
    cache.clear()  # the token endpoint's rate limit counts in the cache: earlier tests must not use it up
    t = make_tree()
    t["staff"] = staff("community_secretary", t["c1"], username="hostile-staff")
    return t


@pytest.fixture(params=["anonymous", "staff"])
def visitor(request, world):
    client = Client()
    if request.param == "staff":
        assert client.login(username="hostile-staff", password=PASSWORD)
    return client


REFUSED = {"detail": ["core.input_refused"]}  # the stable code of every refusal under /api/


def _is_refusal(path: str, response: Any) -> str | None:
    """None if `response` is the 400 refusal in the dialect of `path`, else what is wrong with it."""
    if response.status_code != 400:
        return f"status {response.status_code}"
    content_type = response["Content-Type"]
    if path.startswith("/open311/"):
        if path.split("?")[0].endswith(".xml"):
            root = ET.fromstring(response.content)
            ok = root.tag == "errors" and root.findtext("error/code") == "400"
            ok = ok and root.findtext("error/error_code") == "core.input_refused"
        else:
            body = response.json()
            ok = isinstance(body, list) and body[0]["code"] == 400 and body[0]["description"]
            ok = ok and body[0]["error_code"] == "core.input_refused"
        return None if ok else f"not the Open311 error format: {response.content[:200]!r}"
    if path.startswith("/api/"):
        ok = content_type == "application/json" and response.json()["codes"] == REFUSED
        ok = ok and set(response.json()) == {"detail", "codes"}
        return None if ok else f"not {{'detail': …}}: {response.content[:200]!r}"
    text = response.content.decode()
    ok = content_type.startswith("text/html") and "请求无效" in text and "请求已被拒绝" in text
    return None if ok else f"not the refusal page: {text[:200]!r}"


PROBES = {
    "query": lambda c, path: c.get(path, {"q": "a\x00b", "page": "1"}),
    "form": lambda c, path: c.post(path, "description=a%00b&title=x", content_type="application/x-www-form-urlencoded"),
    "json": lambda c, path: c.post(path, NUL_JSON, content_type="application/json"),
    "deep-json": lambda c, path: c.post(path, DEEP_JSON, content_type="application/json"),
}


@pytest.mark.parametrize("probe", list(PROBES))
def test_every_pattern_refuses_nul_and_deep_json_with_a_400_and_writes_nothing(visitor, probe):
    """A NUL in a query parameter, a form field or a JSON field, and a JSON body nested 10,000 deep, sent to
    every URL pattern: each answers 400 in its dialect, and no row is written."""
    before = _row_counts()
    failures = []
    for route in all_routes():
        response = PROBES[probe](visitor, route.path)
        if problem := _is_refusal(route.path, response):
            failures.append((route.path, problem))
    assert failures == []
    assert _row_counts() == before


def test_every_string_path_segment_refuses_nul_with_a_400_and_writes_nothing(visitor):
    """A NUL (sent as %00) in each string segment of the path, e.g. /portal/cases/<tracking number>/ or
    /open311/v2/requests/<id>.json, answers 400 in the dialect of the path, and no row is written."""
    before = _row_counts()
    failures = []
    nul_paths = [p for route in all_routes() for p in route.nul_paths]
    assert len(nul_paths) > 20
    for path in nul_paths:
        for send in (visitor.get, visitor.post):
            if problem := _is_refusal(path, send(path)):
                failures.append((send.__name__, path, problem))
    assert failures == []
    assert _row_counts() == before


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Mozilla\x00"},
        {"HTTP_AUTHORIZATION": "Token abc\x00def"},
        {"HTTP_COOKIE": "sessionid=abcdefgh\x00ijkl"},
        {"HTTP_ACCEPT_LANGUAGE": "zh\x00"},
    ],
    ids=["user-agent", "authorization", "session-cookie", "accept-language"],
)
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/me/", "/open311/v2/services.json", "/portal/"])
def test_a_nul_in_a_header_is_a_400(world, headers, path):
    """Headers reach the database too (the session cookie and the API token are looked up, the user agent is
    stored at login): a NUL in one answers 400 before anything reads it."""
    before = _row_counts()
    response = Client().get(path, **headers)
    assert _is_refusal(path, response) is None
    assert _row_counts() == before


@pytest.mark.parametrize("header", ["Tok\xffen abc", "\xff", "Token \xff\xfe"])
def test_an_authorization_header_that_is_not_utf8_is_a_401(world, header):
    """A non-UTF-8 byte in the Authorization header is an unknown scheme or a bad token (401), not a 500."""
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_the_refusal_names_the_parameter_in_every_dialect(world):
    """The answer says where the NUL was: in Chinese on pages and in the API, in English for Open311."""
    client = Client()
    page = client.get("/cases/", {"status": "a\x00b"})
    assert "查询参数“status”含有空字符（NUL），请求已被拒绝。" in page.content.decode()
    api = client.get("/api/v1/areas/", {"n\x00ame": "x"})
    assert api.json() == {"detail": "查询参数“n␀ame”含有空字符（NUL），请求已被拒绝。", "codes": REFUSED}
    deep = client.post("/api/v1/auth/token/", DEEP_JSON, content_type="application/json")
    assert deep.json() == {"detail": "JSON 请求体嵌套超过 32 层，请求已被拒绝。", "codes": REFUSED}
    open311 = client.get("/open311/v2/requests.json", {"status": "open\x00"})
    assert open311.json() == [
        {"code": 400, "description": "parameter status contains a NUL character", "error_code": "core.input_refused"}
    ]
    xml = client.post("/open311/v2/requests.xml", DEEP_JSON, content_type="application/json")
    root = ET.fromstring(xml.content)
    assert [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")] == [
        ("400", "the JSON body is nested deeper than 32 levels")
    ]


def test_the_refusal_page_follows_the_language(world):
    """The refusal page is worded in the visitor's language."""
    response = Client().get("/cases/", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and '<html lang="en">' in response.content.decode()


# --- multipart: checked where the body is parsed -----------------------------------------------------------


def _multipart_probe(name: str) -> dict[str, Any]:
    return {
        "description": "a\x00b" if name == "value" else "ok",
        "title\x00" if name == "field-name" else "title": "x",
    }


@pytest.mark.parametrize("probe", ["value", "field-name"])
def test_multipart_nul_never_answers_5xx_and_writes_nothing(visitor, probe):
    """A NUL in a multipart field value or field name, sent to every URL pattern: never a 5xx, no row
    written; where it answers 400 (the body was parsed) it is in the dialect of the path."""
    before = _row_counts(except_sessions=True)
    failures = []
    for route in all_routes():
        response = visitor.post(route.path, _multipart_probe(probe))
        if response.status_code >= 500 or (response.status_code == 400 and _is_refusal(route.path, response)):
            failures.append((route.path, response.status_code))
    assert failures == []
    assert _row_counts(except_sessions=True) == before


def jpeg(name: str = "before.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def dispatched_case(world, calendar):
    return case_factories.dispatched_case(world, staff("community_worker", world["c1"]), reporter_name="王某某")


def test_multipart_photo_upload_with_a_nul_is_a_400_and_a_clean_one_still_works(world, dispatched_case):
    """The handler's photo upload parses a multipart body: a NUL in a field answers 400 and stores nothing;
    the same upload without it stores the photo (file contents are never inspected)."""
    client = Client()
    client.force_login(staff("micro_grid_worker", world["m111"]))
    url = f"/cases/{dispatched_case.public_id}/photos/"
    before = _row_counts()
    refused = client.post(url, {"kind": "before\x00", "photos": [jpeg()]})
    assert _is_refusal(url, refused) is None
    assert "表单字段“kind”含有空字符（NUL）" in refused.content.decode()
    assert _row_counts() == before
    accepted = client.post(url, {"kind": "before", "photos": [jpeg()]})
    assert accepted.status_code == 302
    assert dispatched_case.photos.count() == 1


def test_multipart_nul_is_refused_by_the_csrf_check_with_a_400():
    """With CSRF enforced (as for a browser) the CSRF check is what parses the body: still a 400."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": "a\x00", "password": "x"})
    assert _is_refusal("/accounts/login/", response) is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_multipart_post_with_a_nul_is_a_400_in_its_format(world, fmt):
    """Open311 POST parses multipart bodies itself: a NUL answers 400 in the spec's error format."""
    path = f"/open311/v2/requests.{fmt}"
    response = Client().post(path, {"api_key": "x", "description": "a\x00b"})
    assert _is_refusal(path, response) is None


def test_api_multipart_with_a_nul_is_a_400_before_drf_parses_it(world):
    """DRF parses multipart bodies itself, so under /api/ they are checked before the view: 400."""
    response = Client().post("/api/v1/auth/token/", {"username": "a\x00", "password": "x"})
    assert response.status_code == 400 and "表单字段“username”" in response.json()["detail"]


def test_a_nul_in_an_uploaded_file_name_is_harmless(world):
    """Django drops unprintable characters from uploaded file names, so a NUL there never reaches a view."""
    response = Client().post("/api/v1/auth/token/", {"username": "u", "password": "x", "f": jpeg("a\x00.jpg")})
    assert response.status_code == 400  # refused for the credentials, not a 5xx


# --- legitimate input still passes -------------------------------------------------------------------------


def test_a_normal_json_post_passes(world):
    """A plain JSON login to the API is not refused."""
    response = Client().post(
        "/api/v1/auth/token/", {"username": "hostile-staff", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["token"]


@override_settings(SHEQU_MAX_JSON_DEPTH=3)
def test_depth_limit_comes_from_the_setting(world):
    """SHEQU_MAX_JSON_DEPTH sets the limit: nesting at the limit passes, one level more is refused."""
    client = Client()
    at_limit = client.post("/api/v1/auth/token/", '{"username": [[1]]}', content_type="application/json")
    above = client.post("/api/v1/auth/token/", '{"username": [[[1]]]}', content_type="application/json")
    assert at_limit.status_code == 400 and "嵌套" not in str(at_limit.json())
    assert above.json() == {"detail": "JSON 请求体嵌套超过 3 层，请求已被拒绝。", "codes": REFUSED}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": "b"}', None),
        ('{"a": "b\\u0000"}', ("nul", 0)),
        ('{"a\\u0000": 1}', ("nul", 0)),
        ('{"a": "\\\\u0000"}', None),  # an escaped backslash followed by the text u0000
        ('{"a": "\\\\\\u0000"}', ("nul", 0)),
        ("[1]\x00", ("nul", 0)),
        ('"\\ud83d\\ude00"', None),  # a surrogate pair (😀)
        ('"\\ud83d"', ("surrogate", 0)),
        ('"\\ude00\\ud83d"', ("surrogate", 0)),
        ("[" * 32 + "]" * 32, None),
        ("[" * 33 + "]" * 33, ("depth", 32)),
        ('{"a": "' + "[" * 100 + '"}', None),  # brackets inside a string do not count
        ('{"a": "\\"' + "{" * 100 + '"}', None),  # nor after an escaped quote
        ("]]]]" + "[" * 33, ("depth", 32)),  # stray closers do not buy depth
    ],
)
def test_json_scan(text, expected):
    """The iterative scan finds NUL (raw or escaped), unpaired surrogates and depth above the limit only."""
    assert json_problem(text, max_depth=32) == expected


def test_deep_json_in_a_form_field_is_refused(world):
    """A form field holding JSON (the admin's JSON fields parse it with json.loads) is held to the same rules;
    ordinary text with a bracket is not."""
    client = Client()
    form = "application/x-www-form-urlencoded"
    response = client.post("/accounts/login/", f"username=x&geometry={'[' * 5000}", content_type=form)
    assert "表单字段“geometry”嵌套超过 32 层" in response.content.decode()
    ordinary = client.post("/accounts/login/", "username=[紧急] 楼道&password=x", content_type=form)
    assert ordinary.status_code == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"type": "FeatureCollection", "features": ' + "[" * 5000 + "]" * 5000 + "}",
            "导入失败：上传的文件“b.geojson”嵌套超过 32 层，请求已被拒绝。",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"properties": {"code": "x\\u0000"}}]}',
            "导入失败：上传的文件“b.geojson”含有空字符（NUL），请求已被拒绝。",
        ),
    ],
    ids=["deep", "escaped-nul"],
)
def test_admin_boundary_upload_refuses_deep_or_nul_geojson(world, content, message):
    """The admin's GeoJSON upload parses a file's contents, which the middleware never reads: the view checks
    them first, so ten thousand brackets or a \\u0000 is an error message, not a RecursionError or a jsonb 500."""
    client = Client()
    client.force_login(staff("system_admin", world["district"]))
    before = _row_counts(except_sessions=True)
    upload = SimpleUploadedFile("b.geojson", content.encode(), content_type="application/geo+json")
    response = client.post("/admin/territory/area/import-boundaries/", {"file": upload, "crs": "gcj02"})
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]
    assert _row_counts(except_sessions=True) == before


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_json_in_another_declared_charset_is_scanned_as_text(world, charset):
    """The body is scanned as the text its declared charset makes of it: in GBK 乗 ends in the byte of a
    backslash, which read as bytes would escape the closing quote and put the brackets of `note` outside
    any string."""
    body = json.dumps({"username": "乗", "password": "x", "note": "[" * 40}, ensure_ascii=False)
    response = Client().post("/api/v1/auth/token/", body, content_type=f"application/json; charset={charset}")
    assert response.status_code == 400 and "嵌套" not in str(response.json())
