"""Export: a selection, a batch or an extend chain as one zip, read back with zipfile.

Who may export: every member who may watch the generations (owner, editor, reviewer,
viewer); an outsider gets a 404 for Northwind's ids and batches. Share links give no zip.
"""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from studio.generations import trash
from studio.generations.models import Batch, Generation, Output
from studio.review import services
from studio.review.export import CHUNK, MAX_SELECTION, Selection, stream
from tests.factories import add_hdr_media, make_generation
from tests.review.conftest import World


def _zip(client: Client, query: str) -> zipfile.ZipFile:
    response = client.get(f"{reverse('review:export')}?{query}")
    assert response.status_code == 200, response.status_code
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _records(archive: zipfile.ZipFile) -> list[dict]:
    names = sorted(n for n in archive.namelist() if n.endswith("/generation.json"))
    return [json.loads(archive.read(n)) for n in names]


def _stored(output: Output) -> bytes:
    return (Path(settings.MEDIA_ROOT) / output.file.name).read_bytes()


def test_a_selection_holds_the_outputs_and_one_json_per_generation(
    client: Client, world: World
) -> None:
    services.set_approval(world.take, "approved", world.p.reviewer, note="Ship it")
    services.set_picked(world.take, True, world.p.editor)
    client.force_login(world.p.viewer)
    archive = _zip(client, f"g={world.take.id}&g={world.other.id}")
    assert archive.testzip() is None
    names = archive.namelist()
    first, second = f"001-{str(world.take.id)[:8]}", f"002-{str(world.other.id)[:8]}"
    assert f"{first}/video.mp4" in names and f"{second}/video.mp4" in names
    assert "export.json" in names
    # The original file, byte for byte, stored uncompressed.
    assert archive.read(f"{first}/video.mp4") == _stored(world.outputs["video"])
    assert archive.getinfo(f"{first}/video.mp4").compress_type == zipfile.ZIP_STORED
    # Posters and strips are the studio's own derivations, not the deliverable.
    assert not any(n.endswith(".png") for n in names)

    take, other = _records(archive)
    assert take["id"] == str(world.take.id)
    assert take["remote_id"] == str(world.take.remote_id)
    assert take["request"] == world.take.request
    assert take["prompt"] == world.take.prompt
    assert take["files"] == {"video": f"{first}/video.mp4"}
    assert take["missing"] == []
    assert take["lineage"] == {"parent": None, "ancestors": [], "children": [str(world.other.id)]}
    assert other["lineage"]["parent"] == str(world.take.id)
    assert other["lineage"]["ancestors"] == [str(world.take.id)]
    assert other["action"] == "extend_forward"
    assert take["approval"] == "approved"
    assert [(a["state"], a["by"], a["note"]) for a in take["approvals"]] == [
        ("approved", "reviewer@example.com", "Ship it")
    ]
    assert take["picked"] is True and take["picked_by"] == "editor@example.com"
    [comment] = take["comments"]
    assert comment["body"] == "Flicker here @editor"
    assert comment["frame"] == 5 and comment["author"] == "reviewer@example.com"
    index = json.loads(archive.read("export.json"))
    assert [g["id"] for g in index["generations"]] == [str(world.take.id), str(world.other.id)]


def test_exr_frames_only_when_chosen(client: Client, world: World) -> None:
    hdr = make_generation(world.p.team, world.p.editor, prompt="neon rain")
    outputs = add_hdr_media(hdr)
    client.force_login(world.p.editor)
    folder = f"001-{str(hdr.id)[:8]}"
    without = _zip(client, f"g={hdr.id}")
    assert f"{folder}/exr.zip" not in without.namelist()
    assert _records(without)[0]["files"] == {"video": f"{folder}/video.mp4"}
    with_exr = _zip(client, f"g={hdr.id}&exr=1")
    assert with_exr.read(f"{folder}/exr.zip") == _stored(outputs["exr"])
    # The EXR zip inside is itself a readable zip of frames.
    inner = zipfile.ZipFile(io.BytesIO(with_exr.read(f"{folder}/exr.zip")))
    assert inner.namelist() == ["frame_0000.exr"]


def test_a_batch_in_take_order(client: Client, world: World) -> None:
    batch = Batch.objects.create(team=world.p.team, author=world.p.editor, size=3)
    takes = [
        make_generation(world.p.team, world.p.editor, batch=batch, take_index=i, prompt=f"t{i}")
        for i in (2, 0, 1)
    ]
    client.force_login(world.p.reviewer)
    archive = _zip(client, f"batch={batch.id}")
    assert [r["take_index"] for r in _records(archive)] == [0, 1, 2]
    assert {r["id"] for r in _records(archive)} == {str(t.id) for t in takes}
    assert all(r["batch"] == str(batch.id) for r in _records(archive))


def test_an_extend_chain_in_playing_order(client: Client, world: World) -> None:
    before = make_generation(
        world.p.team,
        world.p.editor,
        parent=world.take,
        action=Generation.Action.EXTEND_BACKWARD,
        prompt="before",
    )
    client.force_login(world.p.owner)
    archive = _zip(client, f"chain={world.other.id}")
    order = [r["id"] for r in _records(archive)]
    assert order == [str(before.id), str(world.take.id), str(world.other.id)]


def test_a_file_gone_from_storage_is_listed_as_missing(client: Client, world: World) -> None:
    (Path(settings.MEDIA_ROOT) / world.outputs["video"].file.name).unlink()
    client.force_login(world.p.owner)
    archive = _zip(client, f"g={world.take.id}&g={world.other.id}")
    take, other = _records(archive)
    assert take["files"] == {} and take["missing"] == ["video"]
    assert other["files"] == {"video": f"002-{str(world.other.id)[:8]}/video.mp4"}


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_every_member_may_export(client: Client, world: World, role: str) -> None:
    client.force_login(getattr(world.p, role))
    assert _zip(client, f"g={world.take.id}").namelist()


def test_an_outsider_gets_nothing_of_northwind(client: Client, world: World) -> None:
    batch = Batch.objects.create(team=world.p.team, author=world.p.editor, size=1)
    client.force_login(world.p.outsider)
    url = reverse("review:export")
    for query in (f"g={world.take.id}", f"chain={world.take.id}", f"batch={batch.id}"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 404, query


def test_signed_out_is_sent_to_sign_in(client: Client, world: World) -> None:
    response = client.get(f"{reverse('review:export')}?g={world.take.id}")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_bad_requests_are_told_why(client: Client, world: World) -> None:
    client.force_login(world.p.owner)
    url = reverse("review:export")
    assert client.get(url).status_code == 400
    too_many = "&".join(f"g={world.take.id}" for _ in range(MAX_SELECTION + 1))
    response = client.get(f"{url}?{too_many}")
    assert response.status_code == 400 and str(MAX_SELECTION).encode() in response.content
    assert client.get(f"{url}?g=not-a-uuid").status_code == 404
    assert client.post(f"{url}?g={world.take.id}").status_code == 405


def _sparse(path: Path, size: int) -> None:
    """A file of ``size`` zero bytes that takes no room on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)


def test_memory_stays_bounded_whatever_the_size(world: World) -> None:
    size = 48 * CHUNK + 123  # not a whole number of chunks
    ids = []
    for n in range(3):
        generation = make_generation(world.p.team, world.p.editor, prompt=f"big {n}")
        name = f"outputs/test/big-{n}.mp4"
        _sparse(Path(settings.MEDIA_ROOT) / name, size)
        Output.objects.create(generation=generation, kind="video", file=name, size_bytes=size)
        ids.append(generation.id)
    # Many small generations too: rows are fetched a few at a time, not all at once.
    ids += [make_generation(world.p.team, world.p.editor, prompt=f"s{n}").id for n in range(120)]
    total = 0
    largest = 0
    tracemalloc.start()
    try:
        for chunk in stream(Selection(ids, "big")):
            total += len(chunk)
            largest = max(largest, len(chunk))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 3 * size  # every byte went through
    # Held at once: a chunk read, its copy in the pipe and the joined drain, plus
    # bookkeeping; a whole file (48 MiB) never.
    assert largest <= CHUNK + 64 * 1024
    assert peak < 8 * CHUNK, peak


def test_the_pages_offer_the_zip(client: Client, world: World) -> None:
    batch = Batch.objects.create(team=world.p.team, author=world.p.editor, size=2)
    for i in range(2):
        make_generation(world.p.team, world.p.editor, batch=batch, take_index=i)
    client.force_login(world.p.viewer)
    url = reverse("review:export")
    gallery = client.get(reverse("review:gallery")).content.decode()
    # The selection bar's button (enabled by the page script once a take is ticked) and
    # the batch card's link.
    assert f'formaction="{url}"' in gallery
    assert f'href="{url}?batch={batch.id}"' in gallery
    one_batch = client.get(f"{reverse('review:gallery')}?batch={batch.id}").content.decode()
    assert f'href="{url}?batch={batch.id}&amp;exr=1"' in one_batch
    chain = client.get(reverse("review:chain", args=[world.other.id])).content.decode()
    assert f'href="{url}?chain={world.other.id}"' in chain


def test_trashed_and_purged_generations(client: Client, world: World) -> None:
    batch = Batch.objects.create(team=world.p.team, author=world.p.editor, size=2)
    kept, binned = (
        make_generation(world.p.team, world.p.editor, batch=batch, take_index=i) for i in (0, 1)
    )
    trash.trash(binned, world.p.editor)
    client.force_login(world.p.editor)
    url = reverse("review:export")
    # Out of the gallery, out of a selection and a batch's zip.
    assert client.get(f"{url}?g={binned.id}").status_code == 404
    assert [r["id"] for r in _records(_zip(client, f"batch={batch.id}"))] == [str(kept.id)]
    # A purged clip of a chain stays as its record, with no files and no error.
    trash.trash(world.take, world.p.editor)
    assert trash.purge(world.take.id)
    assert not (Path(settings.MEDIA_ROOT) / world.outputs["video"].file.name).exists()
    first, second = _records(_zip(client, f"chain={world.other.id}"))
    assert first["id"] == str(world.take.id)
    assert first["purged_at"] is not None and first["files"] == {}
    assert second["files"] == {"video": f"002-{str(world.other.id)[:8]}/video.mp4"}


def test_scripts_export_with_an_api_token(client: Client, world: World) -> None:
    url = f"{reverse('review:export')}?g={world.take.id}"
    headers = {"Authorization": f"Bearer {world.tokens['viewer']}"}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert [r["id"] for r in _records(archive)] == [str(world.take.id)]
    # A token acts in its own team: Northwind's ids are unknown to the outsider's.
    outsider = {"Authorization": f"Bearer {world.tokens['outsider']}"}
    assert client.get(url, headers=outsider).status_code == 404
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
