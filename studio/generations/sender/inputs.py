"""A generation's inputs through the Files API: reused when still there, else uploaded.

Runs in the sender, never in a web request. New uploads are sent first and waited for
afterwards, so their ingest overlaps; ``progress`` is told after each input is ready.
"""

from __future__ import annotations

from collections.abc import Callable

from studio import mediastore
from studio.client import ApiError, Client, UncertainSubmission
from studio.generations.models import Asset, RemoteFile

FILE_READY_TIMEOUT = 120.0
FILE_READY_INTERVAL = 0.5


class InputUploadFailed(Exception):
    """The API did not accept an input (it failed its checks): the generation is refused."""


def _usable(client: Client, file_id: str) -> bool:
    try:
        file = client.get_file(file_id)
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise
    if file.get("state") == "pending":
        file = client.wait_file_ready(file_id, FILE_READY_TIMEOUT, FILE_READY_INTERVAL)
    return file.get("state") == "ready"


def _upload(client: Client, asset: Asset, user_id: str) -> str:
    purpose = "input" if asset.kind == Asset.Kind.VIDEO else "reference"
    for attempt in range(2):
        try:
            # A bucket's asset is uploaded from a scratch copy; on disk, in place.
            with mediastore.readable(mediastore.name_of(asset.file)) as path:
                file = client.upload_file(
                    path,
                    mime_type=asset.media_type,
                    filename=asset.original_name or None,
                    purpose=purpose,
                    user_id=user_id or None,
                )
            return str(file["id"])
        except UncertainSubmission:
            # A second file upload only leaves a stray copy that expires: safe to redo.
            if attempt:
                raise
    raise AssertionError("unreachable")


def remote_file_ids(
    client: Client,
    assets: list[Asset],
    user_id: str,
    progress: Callable[[int], None] = lambda done: None,
) -> dict[int, str]:
    """The Files API id of each asset on this API, uploading the ones it lacks."""
    found: dict[int, str] = {}
    fresh: dict[int, str] = {}
    for asset in assets:
        known = RemoteFile.objects.filter(asset=asset, api_base_url=client.base_url).first()
        if known is not None and _usable(client, known.file_id):
            found[asset.id] = known.file_id
            progress(len(found))
            continue
        fresh[asset.id] = _upload(client, asset, user_id)
    by_id = {a.id: a for a in assets}
    for asset_id, file_id in fresh.items():
        file = client.wait_file_ready(file_id, FILE_READY_TIMEOUT, FILE_READY_INTERVAL)
        if file.get("state") != "ready":
            name = by_id[asset_id].original_name
            reason = file.get("failure_reason") or file.get("state")
            raise InputUploadFailed(f"The generation API did not accept {name}: {reason}")
        RemoteFile.objects.update_or_create(
            asset_id=asset_id, api_base_url=client.base_url, defaults={"file_id": file_id}
        )
        found[asset_id] = file_id
        progress(len(found))
    return found
