"""Local file handling for downloads and uploads, shared by both clients."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from ._core import CHUNK_SIZE


@dataclass(frozen=True)
class Download:
    path: Path
    size: int
    sha256: str


class DownloadSink:
    """A temp file beside ``dest`` that becomes ``dest`` only once it is complete.

    The temp file lives in the same directory so that ``os.replace`` is a rename on
    one filesystem, which is atomic: readers see no file or the whole file.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        self.temp_path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def commit(self) -> Download:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.temp_path, self.dest)
        _fsync_dir(self.dest.parent)
        return Download(path=self.dest, size=self.size, sha256=self._hash.hexdigest())

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.temp_path.unlink()


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself survive a power cut. Not every platform can open a
    # directory (Windows cannot), and the file is already safe there.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def expected_length(response: httpx.Response) -> int | None:
    """Content-Length when it counts the bytes we write (not those of a gzip body)."""
    if response.headers.get("Content-Encoding", "identity") != "identity":
        return None
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


class UploadSource:
    """Bytes to upload, either in memory or read from disk in chunks."""

    def __init__(self, path_or_bytes: bytes | str | os.PathLike[str]) -> None:
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            self.data: bytes | None = bytes(path_or_bytes)
            self.path: Path | None = None
            self.size = len(self.data)
        else:
            self.path = Path(path_or_bytes)
            self.data = None
            # Raises FileNotFoundError / IsADirectoryError with the path in it,
            # before anything is sent.
            if not self.path.is_file():
                raise FileNotFoundError(f"no such file to upload: {self.path}")
            self.size = self.path.stat().st_size

    @property
    def default_filename(self) -> str | None:
        return self.path.name if self.path is not None else None

    def read_all(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    def chunks(self) -> Iterator[bytes]:
        """A fresh stream each call, so a retried PUT starts from byte zero."""
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, self.size, CHUNK_SIZE):
                yield bytes(view[start : start + CHUNK_SIZE])
            return
        assert self.path is not None
        with self.path.open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk
