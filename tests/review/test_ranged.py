"""Byte ranges on served media: what lets the player seek and step frames."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import add_media, make_generation


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_media_answers_byte_ranges(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    outputs = add_media(take, frames=4)
    whole_bytes = outputs["video"].file.open("rb").read()
    outputs["video"].file.close()
    url = reverse("generations:media", args=[outputs["video"].file.name])
    client.force_login(personas.viewer)
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert body(whole) == whole_bytes
    part = client.get(url, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-19/{len(whole_bytes)}"
    assert body(part) == whole_bytes[10:20]
    tail = client.get(url, HTTP_RANGE="bytes=-7")
    assert tail.status_code == 206 and body(tail) == whole_bytes[-7:]
    open_ended = client.get(url, HTTP_RANGE="bytes=5-")
    assert body(open_ended) == whole_bytes[5:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(whole_bytes)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(whole_bytes)}"
