"""Refuse hostile input before it reaches a view or the database: NUL characters and deeply nested JSON.

Why: PostgreSQL refuses U+0000 in text and jsonb (the query fails, so the request answered 500 where SQLite
let it through), and Python's json parser recurses once per level of nesting (a body of ten thousand `[`
ended in RecursionError, a 500). `HostileInputMiddleware` runs before sessions are read, CSRF is checked
or a view runs, and refuses with 400:

- a NUL anywhere in the path, a query-string name or value, a request header (cookies, user agent,
  Authorization), a form field name or value (urlencoded or multipart) or an uploaded file's name;
- a JSON body (any `*/json` or `*+json` content type) holding a NUL, raw or escaped as `\\u0000`, an
  unpaired surrogate escape (`\\ud800`, which no database can store), or nesting deeper than
  `settings.SHEQU_MAX_JSON_DEPTH`; a form or query value that is itself JSON (it starts with `[` or `{`,
  e.g. a JSON field of the admin) is held to the same rules. Depth is counted by an iterative scan of the
  text; nothing is parsed first.

Bodies are read within Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE for urlencoded and JSON bodies).
Multipart bodies are not read here, since a view may still choose where uploads go (the registry import
keeps spreadsheets in memory): the check runs when the body is parsed, whoever parses it, and raises
`HostileInput`, which `bad_request` (the project's handler400) answers. Under /api/ multipart bodies are
parsed here, because DRF's parsers read the stream directly. File contents are never inspected.

The refusal speaks the dialect of the part of the site asked: a JSON `{"detail": …}` under /api/, a plain
HTML page elsewhere, and whatever a prefix registered with `register_refusal` (Open311 answers in its
error format). Refusals are logged at info level; the log filter masks personal data.
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults

from .errors import CoreError

logger = logging.getLogger(__name__)

DEFAULT_MAX_JSON_DEPTH = 32
API_PREFIX = "/api/"

# Reasons
NUL = "nul"
DEPTH = "depth"
SURROGATE = "surrogate"

# Where the refused input was
PATH = "path"
QUERY = "query"
HEADER = "header"
FORM = "form"
FILE_NAME = "file_name"
JSON_BODY = "json"
JSON_FILE = "json_file"  # an uploaded JSON file, checked by the view that reads it (json_file_refusal)

_SHOWN_NAME_LENGTH = 40


def printable(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, fit to echo or log: a NUL shows as ␀, other control characters as �."""
    return "".join(c if c.isprintable() else "␀" if c == "\x00" else "\ufffd" for c in text[:limit])


@dataclass(frozen=True)
class Refusal:
    """What was refused and where: `reason` (NUL, DEPTH, SURROGATE), `source` (PATH, QUERY, ...) and the
    parameter, field or header `name` when there is one (as sent, possibly holding the NUL itself)."""

    reason: str
    source: str
    name: str = ""
    limit: int = 0

    @property
    def shown_name(self) -> str:
        """The name made printable and short enough to echo back (a NUL shows as ␀)."""
        return printable(self.name, _SHOWN_NAME_LENGTH)

    def message(self) -> str:
        """One sentence for people, in the active language."""
        where = {
            PATH: lambda: _("网址路径"),
            QUERY: lambda: _("查询参数“%(name)s”") % {"name": self.shown_name},
            HEADER: lambda: _("请求头“%(name)s”") % {"name": self.shown_name},
            FORM: lambda: _("表单字段“%(name)s”") % {"name": self.shown_name},
            FILE_NAME: lambda: _("上传文件“%(name)s”的文件名") % {"name": self.shown_name},
            JSON_BODY: lambda: _("JSON 请求体"),
            JSON_FILE: lambda: _("上传的文件“%(name)s”") % {"name": self.shown_name},
        }[self.source]()
        if self.reason == DEPTH:
            return _("%(where)s嵌套超过 %(limit)d 层，请求已被拒绝。") % {"where": where, "limit": self.limit}
        if self.reason == SURROGATE:
            return _("%(where)s含有无效的 Unicode 转义（不成对的代理项），请求已被拒绝。") % {"where": where}
        return _("%(where)s含有空字符（NUL），请求已被拒绝。") % {"where": where}


class HostileInput(BadRequest):
    """Raised where a body is parsed after the middleware ran (multipart); answered by `bad_request`."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message())
        self.refusal = refusal


# --- scanning ----------------------------------------------------------------------------------------------

# A JSON string (possibly unterminated: it then runs to the end) or one bracket. Strings are matched whole so
# that brackets and quotes inside them are not counted; the alternatives never overlap, so no backtracking.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]+|\\.)*"?|[\[\]{}]', re.DOTALL)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)


def max_json_depth() -> int:
    return int(getattr(settings, "SHEQU_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def _string_problem(token: str) -> str | None:
    """NUL or SURROGATE if a JSON string token decodes to a NUL or holds an unpaired surrogate escape."""
    pending = -1  # where the low half of a pending high-surrogate escape must start
    for match in _ESCAPE.finditer(token):
        escape = match.group(1)
        code = int(escape[1:], 16) if len(escape) == 5 else None
        if code == 0:
            return NUL
        low = code is not None and 0xDC00 <= code <= 0xDFFF
        if pending >= 0:
            if not (low and match.start() == pending):
                return SURROGATE
            pending = -1
        elif low:
            return SURROGATE
        elif code is not None and 0xD800 <= code <= 0xDBFF:
            pending = match.end()
    return SURROGATE if pending >= 0 else None


def json_problem(text: str, *, max_depth: int) -> tuple[str, int] | None:
    """(reason, limit) if JSON `text` holds a NUL or an unpaired surrogate, or nests deeper than `max_depth`.

    Iterative and linear in the length of `text`; `text` need not be valid JSON (the parser judges that).
    """
    if "\x00" in text:
        return NUL, 0
    if "\\" not in text and text.count("[") + text.count("{") <= max_depth:
        return None
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if "\\" in token and (problem := _string_problem(token)):
                return problem, 0
        elif first in "[{":
            depth += 1
            if depth > max_depth:
                return DEPTH, max_depth
        elif depth:
            depth -= 1
    return None


def json_file_refusal(text: str, *, name: str) -> Refusal | None:
    """The refusal for an uploaded JSON file's `text` (NUL, unpaired surrogate, too deep), or None.

    The middleware never reads file contents; a view that parses an uploaded file as JSON checks it here
    first, since json.loads recurses once per level and PostgreSQL's jsonb refuses \u0000.
    """
    problem = json_problem(text, max_depth=max_json_depth())
    return Refusal(problem[0], JSON_FILE, name, problem[1]) if problem else None


def value_problem(value: str, *, max_depth: int) -> tuple[str, int] | None:
    """(reason, limit) for a query or form value: a NUL, or JSON-rule trouble if the value is JSON-like."""
    if "\x00" in value:
        return NUL, 0
    if value.lstrip()[:1] in ("[", "{"):
        return json_problem(value, max_depth=max_depth)
    return None


def _fields_refusal(source: str, items: Iterable[tuple[str, list[Any]]], max_depth: int) -> Refusal | None:
    for name, values in items:
        if "\x00" in name:
            return Refusal(NUL, source, name)
        for value in values:
            if isinstance(value, str) and (problem := value_problem(value, max_depth=max_depth)):
                return Refusal(problem[0], source, name, problem[1])
    return None


def form_refusal(post: QueryDict, files: Any, *, max_depth: int) -> Refusal | None:
    """The first problem in parsed form fields and uploaded file names (never the files' contents)."""
    refusal = _fields_refusal(FORM, post.lists(), max_depth)
    if refusal is not None:
        return refusal
    for name, uploads in files.lists():
        if "\x00" in name:
            return Refusal(NUL, FORM, name)
        for upload in uploads:
            if "\x00" in (upload.name or ""):
                return Refusal(NUL, FILE_NAME, name)
    return None


def _header_name(meta_key: str) -> str:
    name = meta_key[5:] if meta_key.startswith("HTTP_") else meta_key
    return name.replace("_", "-").title()


def _is_json(content_type: str) -> bool:
    return content_type.endswith("/json") or content_type.endswith("+json")


def _guard_multipart(request: HttpRequest, max_depth: int) -> None:
    """Check a multipart body when Django parses it (request.POST / request.FILES), by whoever asks first."""
    parse = request.parse_file_upload

    def parse_and_check(meta: Any, post_data: Any) -> tuple[QueryDict, Any]:
        post, files = parse(meta, post_data)
        refusal = form_refusal(post, files, max_depth=max_depth)
        if refusal is not None:
            for _name, uploads in files.lists():
                for upload in uploads:
                    upload.close()
            _log(request, refusal)
            raise HostileInput(refusal)
        return post, files

    request.parse_file_upload = parse_and_check  # type: ignore[method-assign,assignment]


def find_hostile_input(request: HttpRequest) -> Refusal | None:
    """The first hostile part of `request` that can be judged before the view runs, or None.

    May read a urlencoded or JSON body (request.body, within DATA_UPLOAD_MAX_MEMORY_SIZE); installs the
    multipart check for later. Does not touch the database.
    """
    max_depth = max_json_depth()
    if "\x00" in request.path_info:
        return Refusal(NUL, PATH)
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key == "CONTENT_TYPE") and isinstance(value, str) and "\x00" in value:
            return Refusal(NUL, HEADER, _header_name(key))
    refusal = _fields_refusal(QUERY, request.GET.lists(), max_depth)
    if refusal is not None:
        return refusal
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        # A copy, parsed the way Django does: request.POST itself is left for the view (it may still set
        # upload handlers, which parsing here would forbid).
        return _fields_refusal(FORM, QueryDict(request.body, encoding="utf-8").lists(), max_depth)
    if content_type == "multipart/form-data":
        if request.method == "POST" and request.path_info.startswith(API_PREFIX):
            return form_refusal(request.POST, request.FILES, max_depth=max_depth)
        _guard_multipart(request, max_depth)
        return None
    if _is_json(content_type):
        text = request.body.decode(request.encoding or settings.DEFAULT_CHARSET, errors="replace")
        problem = json_problem(text, max_depth=max_depth)
        if problem is not None:
            return Refusal(problem[0], JSON_BODY, "", problem[1])
    return None


# --- answering ---------------------------------------------------------------------------------------------

Responder = Callable[[HttpRequest, Refusal], HttpResponse]
_RESPONDERS: dict[str, Responder] = {}


def register_refusal(prefix: str, responder: Responder) -> None:
    """Answer refusals of paths under `prefix` with `responder` (an app's own error format)."""
    _RESPONDERS[prefix] = responder


def _api_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    body = {"detail": refusal.message(), "codes": {"detail": [str(CoreError.INPUT_REFUSED)]}}
    return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})


def _page_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    body = render_to_string("core/bad_request.html", {"message": refusal.message(), "language": get_language()})
    return HttpResponseBadRequest(body)


def refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The 400 for `refusal` in the dialect of the requested path (longest registered prefix wins)."""
    path = request.path_info
    for prefix in sorted(_RESPONDERS, key=len, reverse=True):
        if path.startswith(prefix):
            return _RESPONDERS[prefix](request, refusal)
    if path.startswith(API_PREFIX):
        return _api_response(request, refusal)
    return _page_response(request, refusal)


def _log(request: HttpRequest, refusal: Refusal) -> None:
    where = f"{refusal.source} {refusal.shown_name}" if refusal.name else refusal.source
    logger.info(
        "refused hostile input: %s %s (%s in %s)",
        request.method,
        printable(request.path_info, 200),
        refusal.reason,
        where,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a refusal raised while a multipart body was parsed, in its dialect; otherwise Django's."""
    if isinstance(exception, HostileInput):
        return refusal_response(request, exception.refusal)
    return defaults.bad_request(request, exception)


class HostileInputMiddleware:
    """Refuse NUL characters and deeply nested JSON with 400 before sessions, CSRF or views see the request.

    Place it after LocaleMiddleware (the refusal is worded in the request's language) and before
    CsrfViewMiddleware, AuthenticationMiddleware and everything that reads the session or the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = find_hostile_input(request)
        if refusal is not None:
            _log(request, refusal)
            return refusal_response(request, refusal)
        return self.get_response(request)
