"""No input gives a 500: every URL of the studio, its JSON API and the engine API, fed
malformed values of each kind, answers below 500 and logs no error.

The URLs come from the resolver, so a new route is fuzzed without editing this file.
Each route gets path values from its converters' worst cases (huge integers, malformed
UUIDs, control characters, invalid UTF-8), query strings and bodies (forms, multipart
uploads, JSON) built from the parameter names its view's code reads, signed in as an
owner, with the API token or the engine key the route's namespace calls for.
"""

from __future__ import annotations

import base64
import inspect
import io
import json
import logging
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.accounts.users import create_user
from studio.engine.keys import create_key
from studio.engine.models import EngineFile
from studio.workers.models import Heartbeat, Role
from tests.factories import gradient_png
from tests.review.conftest import World, world  # noqa: F401

EXAMPLES = 50  # per route: the whole file stays within a minute or two

# --- Malformed values, percent-encoded as they travel in a URL or a form body ---------

HUGE_INTS = [
    "0",
    "2147483648",  # past a 32-bit integer column
    "9223372036854775807",  # the largest BigAutoField id
    "9223372036854775808",  # one past it
    "18446744073709551616",
    "9" * 40,
    "9" * 5000,  # past Python's limit for int() of a string
    "-1",
    "1e999",
    "²",  # str.isdigit() says yes, int() says no
]
BAD_UUIDS = [
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000",
    "{12345678-1234-5678-1234-567812345678}x",
    "12345678-1234-5678-1234-5678123456789",
    "g:nope",
    "a:" + "9" * 30,
]
CONTROL = [
    "%00",
    "a%00b",
    "%0A",
    "%0D%0Aset-cookie:%20x=1",
    "%09",
    "%1B[31m",
    "%7F",
    "%C2%85",  # NEL
    "%E2%80%A8",  # LINE SEPARATOR
    "/%0A/evil.example",
    "http://exa%0Ample.com/a.png",
    "javascript:alert(1)",
    "//evil.example/",
]
FAR_MOMENT = "9999-12-31T23:59:59-05:00"  # past what UTC, and so the database, can hold
BAD_MOMENTS = [
    FAR_MOMENT,
    "2026-02-30T00:00:00",
    "2026-01-01T00:00:00+99:00",
    # A cursor of the APIs' shape (base64 of "moment|id") naming that moment.
    base64.urlsafe_b64encode(f"{FAR_MOMENT}|{uuid.UUID(int=1)}".encode()).decode(),
]
BAD_UTF8 = ["%ED%A0%80", "%ED%B0%80", "%FF%FE", "%C0%AF", "a%E2%82"]
ODD_TEXT = ["", "%20", "..", "%2e%2e%2f%2e%2e%2f", "x" * 5000, "%E2%80%AE", "null", "[]"]
MALFORMED = HUGE_INTS + BAD_UUIDS + BAD_MOMENTS + CONTROL + BAD_UTF8 + ODD_TEXT
# One of each class, for the fixed sweep.
SWEEP = [
    "9223372036854775808",
    "9" * 5000,
    "²",
    "not-a-uuid",
    FAR_MOMENT,
    BAD_MOMENTS[-1],
    "a%00b",
    "/a%0Ab",
    "%ED%A0%80",
]
FORM = "application/x-www-form-urlencoded"
RANGES = [
    "bytes=0-",
    "bytes=99999999999999999999999-",
    "bytes=-99999999999999999999999",
    "bytes=5-1",
    "bytes=0-1,2-3,4-5",
    "bytes=a-b",
    "bytes=" + "9" * 5000 + "-",
]

# JSON texts no parser should choke on (sent raw: some are not JSON at all).
RAW_JSON = [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    "[" * 500 + "]" * 500,
    "1" + "0" * 5000,
    '{"prompt": "\\ud800"}',
    '"\\udfff"',
    '{"a": NaN, "b": Infinity, "c": -Infinity}',
    '{"a": 1e999}',
    "",
    "{",
    "null",
    "[]",
    '{"a": 1, "a": 2}',
]
JSON_LEAVES = [
    None,
    True,
    0,
    -1,
    2**63,
    10**40,
    -(10**40),
    1.5,
    1e308,
    "",
    "\ud800",
    "a\ud800b",
    "\udfff",
    "\x00",
    "line\nbreak",
    "http://exa\nmple.com/a.png",
    "x" * 7000,
    "9" * 40,
    "not-a-uuid",
    FAR_MOMENT,
    [],
    {},
    [[[[[]]]]],
]
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b'<rect width="64" height="64" fill="red"/></svg>'
)


def _uploads() -> list[tuple[str, bytes, str]]:
    png = gradient_png()
    return [
        ("a.svg", SVG, "image/svg+xml"),
        ("a.mp4", SVG, "video/mp4"),
        ("a.png", png[: len(png) // 2], "image/png"),
        ("a.png", png, "image/png"),
        ("a.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4"),
        ("", b"", "application/octet-stream"),
        ("a%00b.png\n", png, "image/png"),
    ]


# Ray 3.2 bodies with one leaf to spoil: the shapes the JSON endpoints take.
RAY = {
    "model": "ray-3.2",
    "type": "video",
    "prompt": "a paper boat",
    "video": {"resolution": "360p", "duration": "5s"},
}
TEMPLATES: list[dict[str, Any]] = [
    RAY,
    {**RAY, "video": {"keyframes": [{"url": "http://x/a.png"}], "keyframe_indexes": [0]}},
    {
        "model": "ray-3.2",
        "type": "video_edit",
        "prompt": "edit",
        "source": {"data": "PHN2Zz4=", "media_type": "video/mp4"},
    },
    {"request": RAY, "takes": 2, "prompts": ["a", "b"], "parent": None},
    {"remote_id": str(uuid.uuid4())},
    {"mime_type": "image/png", "size_bytes": 10, "purpose": "input", "filename": "a.png"},
]


# --- The routes, straight from the resolver ----------------------------------------------


@dataclass
class Route:
    name: str
    namespace: str
    parts: list[str | tuple[str, str]]  # literal text, or (converter kind, group name)
    view: Callable[..., Any]


CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)|\.\*|\.\+")


def _parts(pattern: object) -> list[str | tuple[str, str]]:
    parts: list[str | tuple[str, str]] = []
    if isinstance(pattern, RoutePattern):
        text, regex, kind_of = str(pattern), CONVERTER, lambda m: m["kind"] or "str"
    elif isinstance(pattern, RegexPattern):
        text, regex, kind_of = str(pattern).strip("^$"), GROUP, lambda m: "regex"
    else:  # pragma: no cover - Django has no third kind
        raise TypeError(pattern)
    at = 0
    for match in regex.finditer(text):
        parts.append(text[at : match.start()])
        parts.append((kind_of(match), match.groupdict().get("name") or "rest"))
        at = match.end()
    parts.append(text[at:])
    return [p for p in parts if p != ""]


def routes(patterns: list[Any] | None = None, prefix: list | None = None, ns: str = "") -> list:
    found: list[Route] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        here = [*(prefix or []), *_parts(p.pattern)]
        if isinstance(p, URLResolver):
            found += routes(p.url_patterns, here, p.namespace or ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns else str(p.name or p.pattern)
            found.append(Route(name, ns, here, p.callback))
    return found


ROUTES = routes()
# The three surfaces are all found: pages, the studio's JSON API, the engine API.
assert {"review:gallery", "api:generations", "engine:generations"} <= {r.name for r in ROUTES}


# --- The parameter names a view reads, from its own code and the studio code it imports -


NAME = re.compile(
    r"""\.(?:get|getlist|pop)\(\s*["']([A-Za-z_][\w-]*)["']"""
    r"""|\[\s*["']([A-Za-z_][\w-]*)["']\s*\]"""
    r"""|["']([A-Za-z_][\w-]*)["']\s+(?:not\s+)?in\s+(?:request|params|values|body|data)"""
    r"""|^\s+([a-z_]\w*)\s*=\s*(?:forms\.)?\w*Field\(""",
    re.MULTILINE,
)


def _studio_modules(view: Callable[..., Any]) -> list[ModuleType]:
    module = sys.modules[inspect.unwrap(view).__module__]
    seen = {module.__name__: module}
    for value in list(vars(module).values()):
        owner = value if isinstance(value, ModuleType) else inspect.getmodule(value)
        if owner is not None and owner.__name__.startswith("studio."):
            seen.setdefault(owner.__name__, owner)
    return list(seen.values())


def _choices(value: object) -> list[str]:
    """The words of a module constant that lists allowed values (a tuple of names, the
    keys of a table, a Choices class), which a value may have to be to get further."""
    if isinstance(value, type) and hasattr(value, "values") and hasattr(value, "choices"):
        return [str(v) for v in value.values]  # type: ignore[attr-defined]
    items = value.keys() if isinstance(value, dict) else value
    if isinstance(items, tuple | list | set | frozenset | type({}.keys())):
        words = [w for w in items if isinstance(w, str)]
        return words if len(words) == len(items) and len(words) < 64 else []
    return []


def own_words(view: Callable[..., Any]) -> list[str]:
    """The words of the view's own module's constants (a handful)."""
    module = sys.modules[inspect.unwrap(view).__module__]
    return sorted({word for value in vars(module).values() for word in _choices(value)})


def vocabulary(view: Callable[..., Any]) -> tuple[list[str], list[str]]:
    """(parameter names, words a parameter may have to be) from the view's module and the
    studio modules it uses."""
    names: set[str] = set()
    words: set[str] = set()
    for module in _studio_modules(view):
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            continue
        for match in NAME.finditer(source):
            names.update(g for g in match.groups() if g)
        for value in vars(module).values():
            words.update(_choices(value))
    # Django's own forms on these pages (sign-in, password change).
    names.update({"username", "password", "old_password", "new_password1", "new_password2"})
    names.update({"next", "file"})
    return sorted(names), sorted(words)


# --- The world to aim at: real ids the values can also be ----------------------------


@dataclass
class Aim:
    world: World
    engine_key: str
    ints: list[str]
    uuids: list[str]
    strings: list[str]


@pytest.fixture
def aim(world: World) -> Aim:  # noqa: F811 - the imported fixture
    key, secret = create_key("fuzz")
    file = EngineFile.objects.create(key=key, mime_type="image/png", size_bytes=10)
    w = world
    rows = (w.comment, w.share, w.invite, w.editor_membership, w.api_token, w.outputs["video"])
    ints = [str(row.pk) for row in (*rows, w.p.team, w.p.other_team)]
    uuids = [str(w.take.id), str(w.other.id), str(w.take.remote_id), str(file.id)]
    strings = [w.token, w.invite.token, w.outputs["video"].file.name, "video", "video.mp4"]
    # Every worker role beating: /readyz is then ready, not a (deliberate) 503.
    for role in Role.values:
        Heartbeat.objects.create(role=role, instance=f"fuzz:{role}")
    return Aim(w, secret, ints, uuids, strings)


def _path_value(kind: str, aim: Aim) -> st.SearchStrategy[str]:
    real = {"int": aim.ints, "uuid": aim.uuids}.get(kind, aim.strings + aim.uuids)
    return st.one_of(st.sampled_from(real), st.sampled_from(MALFORMED), st.uuids().map(str))


@dataclass
class Attempt:
    method: str
    url: str
    body: bytes | None
    content_type: str
    headers: dict[str, str]

    def __str__(self) -> str:
        shown = (self.body or b"")[:300]
        return f"{self.method} {self.url[:300]} [{self.content_type}] {shown!r} {self.headers}"


def _form(pairs: list[tuple[str, str]] | dict[str, str]) -> bytes:
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return "&".join(f"{quote(k)}={v}" for k, v in items).encode("latin-1")


def _spoil(template: Any, leaf: Any, choice: int) -> Any:
    """The template with one of its values (the choice-th, cycling) replaced."""
    spots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            if isinstance(value, dict | list) and value:
                walk(value)
            spots.append((node, key))

    copy = json.loads(json.dumps(template))
    walk(copy)
    holder, key = spots[choice % len(spots)]
    holder[key] = leaf
    return copy


def _json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")  # "\\ud800" stays an escape


def _multipart(fields: dict[str, str], upload: tuple[str, bytes, str], part: str) -> bytes:
    return encode_multipart(BOUNDARY, {**fields, part: _Upload(*upload)})


@dataclass
class Surface:
    """What one route's attempts are made of."""

    route: Route
    names: list[str]
    words: list[str]
    aim: Aim

    def url(self, values: list[str], query: dict[str, str] | list[tuple[str, str]]) -> str:
        filled = iter(values)
        path = "/" + "".join(p if isinstance(p, str) else next(filled) for p in self.route.parts)
        return f"{path}?{_form(query).decode('latin-1')}" if query else path

    def real_path(self) -> list[str]:
        """Path values that name real rows, so the query and body reach the view."""
        kinds = [p[0] for p in self.route.parts if not isinstance(p, str)]
        pools = {"int": self.aim.ints, "uuid": self.aim.uuids}
        return [pools.get(kind, self.aim.strings)[0] for kind in kinds]

    def sweep(self) -> Iterator[Attempt]:
        """Every class of malformed value in every place at once, and every odd body: a
        fixed set, so a parser that fails on a value fails here every run."""
        real = self.real_path()
        for bad in SWEEP:
            everywhere = dict.fromkeys(self.names, bad)
            yield Attempt("GET", self.url([bad] * len(real), {}), None, "", {})
            yield Attempt("GET", self.url(real, everywhere), None, "", {})
            form = _form(everywhere)
            yield Attempt("POST", self.url(real, {}), form, FORM, {})
        for text in RAW_JSON:
            body = text.encode("utf-8", "surrogatepass")
            yield Attempt("POST", self.url(real, {}), body, "application/json", {})
        leaves = dict.fromkeys(self.names, "\ud800")
        yield Attempt("POST", self.url(real, {}), _json(leaves), "application/json", {})
        for upload in _uploads():
            body = _multipart({}, upload, "file")
            yield Attempt("POST", self.url(real, {}), body, MULTIPART_CONTENT, {})
        # A file the decoders cannot size, under each purpose word the view knows.
        for word in own_words(self.route.view):
            fields = {name: word for name in self.names if name != "file"}
            body = _multipart(fields, ("a.svg", SVG, "image/svg+xml"), "file")
            yield Attempt("POST", self.url(real, {}), body, MULTIPART_CONTENT, {})
        for header in RANGES:
            yield Attempt("GET", self.url(real, {}), None, "", {"Range": header})

    def attempts(self) -> st.SearchStrategy[Attempt]:
        """Random mixes of real and malformed values, a few parameters at a time."""
        aim = self.aim
        plain = st.sampled_from(aim.ints + aim.uuids + aim.strings + self.words)
        value = st.one_of(st.sampled_from(MALFORMED), plain)
        pairs = st.lists(st.tuples(st.sampled_from(self.names), value), max_size=6)
        kinds = [p[0] for p in self.route.parts if not isinstance(p, str)]
        path = st.tuples(*(_path_value(kind, aim) for kind in kinds)).map(list)
        leaf = st.sampled_from(JSON_LEAVES)
        json_body = st.one_of(
            st.dictionaries(st.sampled_from(self.names), leaf, max_size=6).map(_json),
            st.builds(_spoil, st.sampled_from(TEMPLATES), leaf, st.integers(0, 50)).map(_json),
        ).map(lambda b: (b, "application/json"))
        form_body = pairs.map(lambda p: (_form(p), FORM))
        multipart_body = st.builds(
            _multipart,
            st.dictionaries(st.sampled_from(self.names), value, max_size=4),
            st.sampled_from(_uploads()),
            st.sampled_from(["file", *[n for n in self.names if n.endswith("file")]]),
        ).map(lambda b: (b, MULTIPART_CONTENT))
        body = st.one_of(form_body, multipart_body, json_body)
        headers = st.fixed_dictionaries(
            {},
            optional={
                "Range": st.sampled_from(RANGES),
                "X-Request-Id": st.sampled_from(["a\tb", "x" * 500, "\u00e9"]),
            },
        )

        @st.composite
        def build(draw: st.DrawFn) -> Attempt:
            method = draw(st.sampled_from(["GET", "POST", "POST", "PUT", "DELETE"]))
            url = self.url(draw(path), draw(pairs))
            raw, content_type = (None, "") if method == "GET" else draw(body)
            return Attempt(method, url, raw, content_type, draw(headers))

        return build()


class _Upload(io.BytesIO):
    """A file for encode_multipart: it reads ``name`` and ``content_type`` off the object."""

    def __init__(self, name: str, content: bytes, content_type: str) -> None:
        super().__init__(content)
        self.name = name
        self.content_type = content_type


# --- Sending -----------------------------------------------------------------------------


def _credentials(route: Route, aim: Aim) -> dict[str, str]:
    token = {"engine": aim.engine_key, "api": aim.world.tokens["owner"]}.get(route.namespace)
    return {"Authorization": f"Bearer {token}"} if token else {}


def send(client: Client, attempt: Attempt, extra: dict[str, str]) -> int:
    headers = {**extra, **attempt.headers}
    kwargs: dict[str, Any] = {"headers": headers}
    if attempt.body is not None:
        kwargs.update(data=attempt.body, content_type=attempt.content_type)
    response = client.generic(attempt.method, attempt.url, **kwargs)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def _operator() -> Any:
    return create_user("operator@example.com", None, is_superuser=True)


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_no_input_gives_a_500(route: Route, aim: Aim, caplog: pytest.LogCaptureFixture) -> None:
    client = Client(raise_request_exception=False)
    # The operators' admin as a staff account: anyone else is only sent to its sign-in.
    staff = route.namespace == "admin"
    client.force_login(_operator() if staff else aim.world.p.owner)
    cookies = client.cookies
    extra = _credentials(route, aim)
    surface = Surface(route, *vocabulary(route.view), aim)
    # Django logs every 5xx answer here, whoever caught the exception first.
    caplog.set_level(logging.ERROR, logger="django.request")
    failures: list[str] = []

    def attempt(one: Attempt) -> None:
        client.cookies = type(cookies)(cookies)  # a sign-out in one example is not the next's
        caplog.clear()
        with transaction.atomic():  # each attempt starts from the same world
            status = send(client, one, extra)
            transaction.set_rollback(True)
        errors = [
            r.getMessage()
            for r in caplog.records
            if r.name == "django.request" and r.levelno >= logging.ERROR
        ]
        # Recorded rather than raised: one run reports every failing attempt of a route.
        if status >= 500 or errors:
            failures.append(f"{status} {one}: {errors[:1]}")

    for one in surface.sweep():
        attempt(one)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(surface.attempts())
    def check(one: Attempt) -> None:
        attempt(one)

    check()
    assert not failures, "\n".join(dict.fromkeys(failures))
