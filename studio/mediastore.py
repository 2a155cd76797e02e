"""The one way the studio's code reaches stored media, on disk or in a bucket.

Names are relative (as stored in a FileField). On disk a name is a file under MEDIA_ROOT
and work on it happens in place, as it always did. In a bucket nothing of the media
stays on the machine: media work reads a scratch copy in the system's temporary
directory, writes its results there, hands them to the store and removes the scratch.
Serving goes through a short-lived presigned link, so byte ranges are answered by the
store rather than by a web worker.

Every function takes the alias of a store in ``STORAGES``: "default" holds the studio's
media (MEDIA_ROOT on disk), "engine" the local engine's uploads and outputs
(ENGINE_MEDIA_ROOT on disk, the ``engine/`` prefix of the same bucket). Settings alone
choose disk or bucket, for both at once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils._os import safe_join

from studio.ranged import ranged_file_response

SCRATCH_PREFIX = "studio-"
DEFAULT = "default"
# The local engine's store (see studio.engine.storage).
ENGINE = "engine"


def store(alias: str = DEFAULT) -> Storage:
    return storages[alias]


def is_local(alias: str = DEFAULT) -> bool:
    """Whether stored names are files on this machine's disk."""
    try:
        store(alias).path("")
    except NotImplementedError:
        return False
    return True


def disk_path(name: str, alias: str = DEFAULT) -> Path:
    """Where a name lives on disk (raises SuspiciousFileOperation for a name that leaves
    the store's folder: MEDIA_ROOT, or the engine's ENGINE_MEDIA_ROOT)."""
    if alias == DEFAULT:
        return Path(safe_join(settings.MEDIA_ROOT, name))
    # A disk store is a FileSystemStorage: its folder is its location.
    disk = store(alias)
    assert isinstance(disk, FileSystemStorage)
    return Path(safe_join(disk.location, name))


def exists_with_size(name: str, size: int, alias: str = DEFAULT) -> bool:
    """Whether a name is stored complete (its size as recorded)."""
    if is_local(alias):
        try:
            path = disk_path(name, alias)
        except SuspiciousFileOperation:
            return False
        return path.is_file() and path.stat().st_size == size
    # Only a bucket gets here, so only a bucket needs botocore loaded.
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return store(alias).size(name) == size
    except (OSError, ClientError, BotoCoreError):
        # A missing object is a 404, which botocore raises as a ClientError.
        return False


def name_of(field: FieldFile) -> str:
    """The stored name of a file field that holds a file (a row kept only with one)."""
    if not field.name:
        raise ValueError("the file field holds no file")
    return field.name


def put(name: str, source: Path, alias: str = DEFAULT) -> str:
    """Keep ``source`` (a finished local file) under ``name``; ``source`` is gone afterwards.

    On disk a rename (the source was written beside its final place); in a bucket an
    upload that boto3 splits into parts, reading the file in constant memory.
    """
    source = Path(source)
    if is_local(alias):
        dest = disk_path(name, alias)
        if dest != source.resolve():
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, dest)
        return name
    try:
        with open(source, "rb") as handle:
            return store(alias).save(name, File(handle, name=name))
    finally:
        source.unlink(missing_ok=True)


def delete(name: str, alias: str = DEFAULT) -> None:
    if name:
        store(alias).delete(name)


def delete_folder(name: str, alias: str = DEFAULT) -> None:
    """Delete everything stored under a folder name (a prefix, in a bucket)."""
    if is_local(alias):
        with contextlib.suppress(ValueError):
            shutil.rmtree(disk_path(name, alias), ignore_errors=True)
        return
    try:
        folders, files = store(alias).listdir(name)
    except FileNotFoundError:
        return
    for file in files:
        store(alias).delete(f"{name}/{file}")
    for folder in folders:
        delete_folder(f"{name}/{folder}", alias)


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A working folder in the system's temporary directory, removed when done."""
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def writing_folder(folder: str, alias: str = DEFAULT) -> Iterator[Path]:
    """Where to write new files that `put` then keeps under the stored folder ``folder``.

    On disk that folder itself, so that keeping a file is a rename; in a bucket a scratch
    folder, removed on leaving (with whatever was not kept).
    """
    if is_local(alias):
        path = disk_path(folder, alias)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with scratch_dir() as path:
        yield path


@contextlib.contextmanager
def readable(name: str, alias: str = DEFAULT) -> Iterator[Path]:
    """A local path holding the stored file's bytes, for media tools that need a path.

    On disk the file itself; in a bucket a scratch copy, removed on leaving.
    """
    if is_local(alias):
        yield disk_path(name, alias)
        return
    with scratch_dir() as folder:
        yield copy_into(name, folder, alias)


def copy_into(name: str, folder: Path, alias: str = DEFAULT) -> Path:
    """Download a stored file into ``folder`` (kept there: the caller removes the folder)."""
    copy = Path(folder) / Path(name).name
    storage = store(alias)
    with storage.open(name, "rb") as remote, open(copy, "wb") as local:
        bucket_object = getattr(remote, "obj", None)
        if bucket_object is not None:
            # Straight into the file, in parts: reading the S3 file object would first
            # buffer the whole object in memory.
            from storages.backends.s3 import S3Storage  # loaded only for a bucket

            assert isinstance(storage, S3Storage)  # only its files carry an `obj`
            bucket_object.download_fileobj(local, Config=storage.transfer_config)
        else:
            shutil.copyfileobj(remote, local, 1 << 20)
    return copy


def serve(
    request: HttpRequest,
    name: str,
    *,
    download_name: str | None = None,
    content_type: str | None = None,
    alias: str = DEFAULT,
) -> HttpResponseBase:
    """A stored file for a caller that has already checked access.

    On disk the bytes with byte ranges honoured (a browser seeks only when they are); in
    a bucket a redirect to a short-lived presigned link, whose store honours ranges.
    """
    if is_local(alias):
        try:
            handle = open(disk_path(name, alias), "rb")  # noqa: SIM115 - the response closes it
        except (OSError, ValueError):
            raise Http404("No such file") from None
        return ranged_file_response(
            request, handle, name, content_type=content_type, download_name=download_name
        )
    if not name or not store(alias).exists(name):
        raise Http404("No such file")
    parameters: dict[str, str] = {}
    if download_name:
        safe = download_name.replace('"', "").replace("\\", "")
        parameters["ResponseContentDisposition"] = f'attachment; filename="{safe}"'
    if content_type:
        parameters["ResponseContentType"] = content_type
    from storages.backends.s3 import (
        S3Storage,  # only a bucket comes here, and boto3 is slow to load
    )

    bucket = store(alias)
    assert isinstance(bucket, S3Storage)  # not on disk: the bucket's backend (settings.STORAGES)
    url = bucket.url(name, parameters=parameters, expire=settings.AWS_QUERYSTRING_EXPIRE)
    response = HttpResponseRedirect(url)
    # The link is personal and short-lived: no shared cache may hand it to someone else.
    response["Cache-Control"] = "private, no-store"
    return response
