"""The parsers for untrusted input: each kind of value refused where it is read."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime

import pytest

from studio.contract import ContractError, validate
from studio.contract.parsing import (
    MAX_ID,
    MAX_JSON_DEPTH,
    is_clean_url,
    is_storable,
    parse_id,
    parse_int,
    parse_json,
    parse_moment,
    parse_uuid,
    read_json,
)
from tests.contract.bodies import video


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        (7, 7),
        ("9223372036854775807", MAX_ID),
        ("9223372036854775808", None),  # one past the BigAutoField range
        ("9" * 5000, None),  # int() itself raises on this
        ("²", None),  # "²".isdigit() is true, int("²") raises
        ("١٢", None),  # other scripts' digits are not what a form sends
        ("1_000", None),
        (" 7 ", None),
        ("+7", None),
        ("0", None),
        ("-1", None),
        (True, None),
        (None, None),
        ("", None),
        (7.0, None),
    ],
)
def test_row_ids(raw: object, expected: int | None) -> None:
    assert parse_id(raw) == expected


def test_whole_numbers_are_bounded_both_ways() -> None:
    assert parse_int("-3", -5, 5) == -3
    assert parse_int("-6", -5, 5) is None
    assert parse_int("6", -5, 5) is None
    assert parse_int("0") == 0


@pytest.mark.parametrize(
    "raw",
    ["not-a-uuid", "00000000-0000-0000-0000-00000000000", "", "a\x00b", None, 7, ["x"]],
)
def test_malformed_uuids_are_none(raw: object) -> None:
    assert parse_uuid(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "9999-12-31T23:59:59-05:00",  # past what UTC can hold
        "0001-01-01T00:00:00+05:00",  # before it
        "2026-02-30T00:00:00+00:00",
        "2026-01-01T00:00:00+99:00",
        "2026-01-01T00:00:00",  # no offset, and none assumed
        "yesterday",
        None,
    ],
)
def test_moments_that_cannot_be_stored_are_none(raw: object) -> None:
    assert parse_moment(raw) is None


def test_moments_are_read_in_utc() -> None:
    moment = parse_moment("2026-05-26T14:00:00+02:00")
    assert moment == datetime(2026, 5, 26, 12, tzinfo=UTC)
    assert parse_moment("2026-05-26T12:00:00", assume_utc=True) == moment


def test_uuids_are_read() -> None:
    ident = uuid.uuid4()
    assert parse_uuid(str(ident)) == ident
    assert parse_uuid(ident) == ident


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a paper boat", True),
        ("é 漢字 🎞", True),
        ("\ud800", False),
        ("a\udfffb", False),
        ("a\x00", False),
    ],
)
def test_storable_text(text: str, ok: bool) -> None:
    assert is_storable(text) is ok


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a.png", True),
        ("http://exa\nmple.com/a.png", False),
        ("http://example.com/a.png\r\nX-Forged: 1", False),
        ("http://example.com/a b.png", False),
        ("http://example.com/\x7f", False),
        ("http://example.com/\x85", False),
        ("http://example.com/\ud800", False),
    ],
)
def test_clean_urls(url: str, ok: bool) -> None:
    assert is_clean_url(url) is ok


def _refusal(raw: bytes, max_bytes: int = 10_000) -> ContractError:
    with pytest.raises(ContractError) as caught:
        parse_json(raw, max_bytes=max_bytes)
    return caught.value


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,  # past the interpreter's recursion limit
        b'{"a":' * 200 + b"1" + b"}" * 200,  # within it, still absurd
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    ],
)
def test_deep_nesting_is_refused(raw: bytes) -> None:
    error = _refusal(raw, max_bytes=len(raw))
    assert (error.status, error.detail) == (400, "body: must not nest more than 32 levels deep")


def test_nesting_up_to_the_limit_is_read() -> None:
    raw = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json(raw, max_bytes=len(raw)) is not None


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"", b"1" * 5000])
def test_text_that_is_not_json_is_refused(raw: bytes) -> None:
    error = _refusal(raw)
    assert (error.status, error.detail) == (400, "body: must be valid JSON")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"prompt": "\ud800"}, "prompt"),
        ({"video": {"keyframes": [{"url": "a\udfff"}]}}, "video.keyframes[0].url"),
        ({"prompts": ["ok", "a\x00b"]}, "prompts[1]"),
        ({"\ud800": 1}, "body"),
        ("\ud800", "body"),
    ],
)
def test_unstorable_text_is_refused_by_its_path(body: object, path: str) -> None:
    raw = json.dumps(body).encode()  # json escapes the surrogate as \ud800
    error = _refusal(raw)
    assert error.status == 400
    assert error.detail == (
        f"{path}: must be valid Unicode text (no lone surrogates or NUL characters)"
    )


def test_a_body_over_the_cap_is_refused_unread() -> None:
    stream = io.BytesIO(b"{}" * 10)
    with pytest.raises(ContractError) as caught:
        read_json(stream, str(3 * 1024 * 1024), max_bytes=1024 * 1024)
    assert (caught.value.status, caught.value.detail) == (413, "body: request exceeds 1 MB")
    assert stream.tell() == 0
    with pytest.raises(ContractError) as caught:
        read_json(io.BytesIO(b" " * (1024 * 1024 + 1)), None, max_bytes=1024 * 1024)
    assert caught.value.status == 413


def test_the_contract_refuses_a_prompt_it_could_not_send_on() -> None:
    """Bodies that reach ``validate`` without the JSON parser are judged the same way."""
    body = {**video(), "prompt": "a \ud800 boat"}
    with pytest.raises(ContractError) as caught:
        validate(body)
    assert (caught.value.status, caught.value.path) == (400, "prompt")
    assert caught.value.detail.startswith("prompt: must be valid Unicode text")


def test_an_image_url_with_a_line_break_is_refused() -> None:
    body = video(keyframes=[{"url": "http://exa\nmple.com/a.png"}], keyframe_indexes=[0])
    with pytest.raises(ContractError) as caught:
        validate(body)
    assert caught.value.status == 400
    assert caught.value.detail == (
        "video.keyframes[0].url: must be a URL without spaces or control characters"
    )
