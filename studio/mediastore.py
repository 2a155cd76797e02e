"""The one way the studio's code reaches stored media, on disk or in a bucket.

Names are relative (as stored in a FileField). On disk a name is a file under MEDIA_ROOT
and work on it happens in place, as it always did. In a bucket nothing of the media
stays on the machine: media work reads a scratch copy in the system's temporary
directory, writes its results there, hands them to the store and removes the scratch.
Serving goes through a short-lived presigned link, so byte ranges are answered by the
store rather than by a web worker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils._os import safe_join

from studio.ranged import ranged_file_response

SCRATCH_PREFIX = "studio-"


def store() -> Storage:
    return default_storage


def is_local() -> bool:
    """Whether stored names are files on this machine's disk."""
    try:
        store().path("")
    except NotImplementedError:
        return False
    return True


def disk_path(name: str) -> Path:
    """Where a name lives on disk (raises ValueError for a name that leaves MEDIA_ROOT)."""
    return Path(safe_join(settings.MEDIA_ROOT, name))


def exists_with_size(name: str, size: int) -> bool:
    """Whether a name is stored complete (its size as recorded)."""
    if is_local():
        try:
            path = disk_path(name)
        except ValueError:
            return False
        return path.is_file() and path.stat().st_size == size
    # Only a bucket gets here, so only a bucket needs botocore loaded.
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return store().size(name) == size
    except (OSError, ClientError, BotoCoreError):
        # A missing object is a 404, which botocore raises as a ClientError.
        return False


def put(name: str, source: Path) -> str:
    """Keep ``source`` (a finished local file) under ``name``; ``source`` is gone afterwards.

    On disk a rename (the source was written beside its final place); in a bucket an
    upload that boto3 splits into parts, reading the file in constant memory.
    """
    source = Path(source)
    if is_local():
        dest = disk_path(name)
        if dest != source.resolve():
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, dest)
        return name
    try:
        with open(source, "rb") as handle:
            return store().save(name, File(handle, name=name))
    finally:
        source.unlink(missing_ok=True)


def delete(name: str) -> None:
    if name:
        store().delete(name)


def delete_folder(name: str) -> None:
    """Delete everything stored under a folder name (a prefix, in a bucket)."""
    if is_local():
        with contextlib.suppress(ValueError):
            shutil.rmtree(disk_path(name), ignore_errors=True)
        return
    try:
        folders, files = store().listdir(name)
    except FileNotFoundError:
        return
    for file in files:
        store().delete(f"{name}/{file}")
    for folder in folders:
        delete_folder(f"{name}/{folder}")


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A working folder in the system's temporary directory, removed when done."""
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def readable(name: str) -> Iterator[Path]:
    """A local path holding the stored file's bytes, for media tools that need a path.

    On disk the file itself; in a bucket a scratch copy, removed on leaving.
    """
    if is_local():
        yield disk_path(name)
        return
    with scratch_dir() as folder:
        copy = folder / Path(name).name
        with store().open(name, "rb") as remote, open(copy, "wb") as local:
            shutil.copyfileobj(remote, local, 1 << 20)
        yield copy


def serve(request: HttpRequest, name: str, *, download_name: str | None = None) -> HttpResponse:
    """A stored file for a caller that has already checked access.

    On disk the bytes with byte ranges honoured (a browser seeks only when they are); in
    a bucket a redirect to a short-lived presigned link, whose store honours ranges.
    """
    if is_local():
        try:
            handle = open(disk_path(name), "rb")  # noqa: SIM115 - the response closes it
        except (OSError, ValueError):
            raise Http404("No such file") from None
        return ranged_file_response(request, handle, name, download_name=download_name)
    if not name or not store().exists(name):
        raise Http404("No such file")
    parameters: dict[str, str] = {}
    if download_name:
        safe = download_name.replace('"', "").replace("\\", "")
        parameters["ResponseContentDisposition"] = f'attachment; filename="{safe}"'
    url = store().url(name, parameters=parameters, expire=settings.AWS_QUERYSTRING_EXPIRE)
    response = HttpResponseRedirect(url)
    # The link is personal and short-lived: no shared cache may hand it to someone else.
    response["Cache-Control"] = "private, no-store"
    return response
