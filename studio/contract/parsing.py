"""Parsers for untrusted input, one per kind: whole numbers and row ids, UUIDs, moments,
text, URLs and JSON bodies.

Plain Python, shared by the studio's pages, its JSON API and the local engine: every
view, form and wire check that reads such a value from a request goes through here, so
a value the database, the codecs or the renderer would choke on is refused where it is
read, as a 4xx, and never reaches them.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from .errors import ContractError, ours

# Row ids are BigAutoField (a signed 64-bit column): a larger number names no row, and
# some databases refuse to even compare with one.
MAX_ID: Final = 2**63 - 1
# Frame numbers are kept in 32-bit columns (a comment's pin), far past any clip's length.
MAX_FRAME: Final = 2**31 - 1
# Deeper than any body of the contract or the studio's API (a Ray 3.2 body nests five
# levels): anything beyond is refused before a recursive step could choke on it.
MAX_JSON_DEPTH: Final = 32

_WHOLE = re.compile(r"-?[0-9]{1,19}")


class SupportsRead(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def parse_int(value: object, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number between ``low`` and ``high`` written in ASCII digits, else None.

    ``int()`` alone takes more than a form should (``"²"``, ``"1_0"``, ``" 7 "``, a
    5,000-digit string that raises): only plain digits with an optional minus count.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if low <= number <= high else None


def parse_id(value: object) -> int | None:
    """A row id (1..MAX_ID) from a URL, form or JSON value, else None."""
    return parse_int(value, 1, MAX_ID)


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID (the API's ids, the studio's generation and batch ids), else None.

    Exactly what the database's UUID columns take: a padded value would pass here and
    fail the lookup, so none is stripped.
    """
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def parse_moment(value: object, *, assume_utc: bool = False) -> datetime | None:
    """An ISO 8601 moment as an aware UTC datetime, else None: text that is not one, a
    day that does not exist (02-30), an offset of a day or more, a moment UTC cannot
    hold (year 9999 west of Greenwich; the database stores UTC). Without an offset it
    is taken to be UTC only with ``assume_utc``."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            if not assume_utc:
                return None
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def is_storable(text: str) -> bool:
    """Whether text can be stored and sent on as UTF-8: no lone surrogates (JSON lets
    ``"\\ud800"`` through, UTF-8 cannot carry it) and no NUL (PostgreSQL's text refuses it)."""
    if "\x00" in text:
        return False
    if text.isascii():  # the common case, and cheap for base64 media
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_control(text: str) -> bool:
    """Whether text holds a control character (C0, DEL or C1): never part of a URL or
    of a name a person typed into one."""
    return any(unicodedata.category(char) == "Cc" for char in text)


def is_clean_url(url: str) -> bool:
    """A URL without whitespace or control characters (a line break in a URL is how a
    request header or a log line gets forged)."""
    return is_storable(url) and not has_control(url) and not any(c.isspace() for c in url)


def parse_json(raw: bytes, *, max_bytes: int) -> Any:
    """The value of an untrusted JSON body, or ContractError with the contract's words:
    413 over ``max_bytes``; 400 for text that is not JSON (bad UTF-8, a number too long
    to read), for nesting deeper than MAX_JSON_DEPTH, and for a string that is not
    storable text, named by its field path (``prompt``, ``video.keyframes[0].url``).

    NaN and Infinity are read as Python reads them: every number the contract takes is
    checked to be finite where it is used, with that field's own words.
    """
    if len(raw) > max_bytes:
        raise ContractError(413, ours("body_too_large", limit=max_bytes // 1024 // 1024))
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ContractError(400, ours("body_too_deep", depth=MAX_JSON_DEPTH)) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, a number too long to read
        raise ContractError(400, ours("body_not_json")) from None
    _check_tree(value)
    return value


def read_json(stream: SupportsRead, declared_length: str | None, *, max_bytes: int) -> Any:
    """``parse_json`` of a request body read from its stream: a body declared larger than
    ``max_bytes`` is refused unread, and no more than that is ever read."""
    declared = parse_int(declared_length or "0") or 0
    if declared > max_bytes:
        raise ContractError(413, ours("body_too_large", limit=max_bytes // 1024 // 1024))
    return parse_json(stream.read(max_bytes + 1), max_bytes=max_bytes)


def _check_tree(value: Any) -> None:
    """Depth and text of every node, without recursion (the tree may be deep)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ContractError(400, ours("body_too_deep", depth=MAX_JSON_DEPTH))
        if isinstance(node, str):
            if not is_storable(node):
                raise ContractError(400, ours("text_invalid", path=path or "body"), path)
        elif isinstance(node, dict):
            for key, item in node.items():
                here = f"{path}.{key}" if path else str(key)
                if not is_storable(key):
                    raise ContractError(400, ours("text_invalid", path=path or "body"), path)
                stack.append((item, here, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node))
