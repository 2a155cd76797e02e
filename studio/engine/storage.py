"""Where the local engine keeps its uploads and outputs: the "engine" store in STORAGES.

Settings choose it together with the studio's own store (STUDIO_STORAGE): on disk a
folder of its own, ENGINE_MEDIA_ROOT; in a bucket the ``engine/`` prefix of the studio's
bucket. Names are relative (``files/<id>``, ``<generation id>/out/video.mp4``) and the
same on both. Everything reaches the store through studio.mediastore with ``ENGINE``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.functional import cached_property

from studio.mediastore import ENGINE

__all__ = ["ENGINE", "EngineDiskStorage"]


class EngineDiskStorage(FileSystemStorage):
    """A FileSystemStorage under ENGINE_MEDIA_ROOT, following that setting as it changes."""

    def __init__(self, location: str | None = None, **kwargs: Any) -> None:
        super().__init__(location=location, **kwargs)
        self._own_location = location
        setting_changed.connect(self._follow_root)

    @cached_property
    def base_location(self) -> str:
        if self._own_location is not None:
            return str(self._own_location)
        return str(settings.ENGINE_MEDIA_ROOT)

    def _follow_root(self, *, setting: str, **kwargs: Any) -> None:
        if setting == "ENGINE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)
