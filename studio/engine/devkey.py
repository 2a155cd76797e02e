"""The development key: one key named "development", kept in the data folder.

`runstudio` hands it to the processes it starts (the poller, the studio's client) when
no key is configured, and tells the user where the file is.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from .keys import create_key, hash_key
from .models import ApiKey

DEV_KEY_NAME = "development"


def dev_key_path() -> Path:
    return Path(settings.DATA_DIR) / "engine-dev-key"


def ensure_dev_key() -> str:
    """The saved development key if it still works, else a fresh one (saved 0600)."""
    path = dev_key_path()
    try:
        saved = path.read_text().strip()
    except OSError:
        saved = ""
    if saved:
        usable = ApiKey.objects.filter(
            secret_hash=hash_key(saved), revoked_at__isnull=True, expires_at__isnull=True
        ).exists()
        if usable:
            return saved
    _, secret = create_key(DEV_KEY_NAME)
    _write_private(path, secret + "\n")
    return secret


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
