"""The contract's reference lookups for a composition, answered from the team's own
clips and uploads.

What a source may be (how long an edit's or a reframe's source can run, where an edit's
keyframes can sit on it) is the contract's to decide, through a ``RefResolver``: the
engine has one over an API key's files and generations, and this is the composer's, over
the clip or upload the form found and the team's images it names.

The contract asks about API ids (UUIDs) only, and checks the length of a source named by
``generation_id``. ``judged`` therefore gives the body it checks: each upload
(``asset:<id>``) under a stand-in UUID this resolver answers for, and a source whose
length the studio knows named as a completed video of that length, so an uploaded video
is measured exactly as a clip is (the engine does the same for a staged upload). A clip
whose length the studio has not learned yet is judged as a file: the API measures it.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from typing import Any

from studio.composer.sources import Source
from studio.contract.parsing import parse_id
from studio.contract.structure import iter_refs
from studio.generations.lifecycle import ASSET_PREFIX
from studio.generations.models import Asset

# Stand-in ids are derived from this namespace, so the same upload always gets the same one.
_STAND_INS = uuid.UUID("6f1d2c3e-5b7a-4c1d-9e2f-3a4b5c6d7e8f")


def stand_in(name: str) -> str:
    return str(uuid.uuid5(_STAND_INS, name))


class SourceResolver:
    """Answers ``validate``'s questions about one composition's references."""

    def __init__(self, source: Source | None, assets: Iterable[Asset] = ()) -> None:
        self.source = source
        self._assets = {asset.id for asset in assets}
        if source is not None and source.asset is not None:
            self._assets.add(source.asset.id)
        self._files: set[str] = set()
        self._videos: dict[str, float | None] = {}
        if source is not None and source.generation is not None:
            self._videos[str(source.generation.remote_id)] = source.seconds

    @property
    def source_seconds(self) -> float | None:
        return self.source.seconds if self.source is not None else None

    def judged(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` as the contract checks it: every studio reference under an id this
        resolver knows (``body`` itself is left as it is)."""
        judged = copy.deepcopy(body)
        for path, ref in iter_refs(judged):
            asset_id = self._asset_of(ref)
            if path == "source" and self.source is not None:
                self._stand_in_source(ref, asset_id)
            elif asset_id is not None:
                name = stand_in(f"asset:{asset_id}")
                self._files.add(name)
                _replace(ref, {"file_id": name})
        return judged

    def _asset_of(self, ref: dict[str, Any]) -> int | None:
        file_id = ref.get("file_id")
        if not isinstance(file_id, str) or not file_id.startswith(ASSET_PREFIX):
            return None
        asset_id = parse_id(file_id.removeprefix(ASSET_PREFIX))
        return asset_id if asset_id in self._assets else None

    def _stand_in_source(self, ref: dict[str, Any], asset_id: int | None) -> None:
        assert self.source is not None
        if ref.get("generation_id") is None and asset_id is None:
            return  # not a reference the studio made: the contract judges it as it is
        name = stand_in(f"source:{self.source.key}")
        if self.source_seconds is None:
            self._files.add(name)
            _replace(ref, {"file_id": name})
        else:
            self._videos[name] = self.source_seconds
            _replace(ref, {"generation_id": name})

    # -- the contract's RefResolver ---------------------------------------------------

    def file_ready(self, file_id: str) -> bool:
        return file_id in self._files

    def completed_video(self, generation_id: str) -> float | None:
        if generation_id not in self._videos:
            return None
        seconds = self._videos[generation_id]
        # The contract reads the length of the source only, and a source of unknown length
        # is judged as a file: a clip extended from is asked about only to know it is there.
        return seconds if seconds is not None else 0.0


def _replace(ref: dict[str, Any], new: dict[str, str]) -> None:
    ref.clear()
    ref.update(new)
