"""engine_key and the development key runstudio uses."""

from __future__ import annotations

import io
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from studio.engine.devkey import dev_key_path, ensure_dev_key
from studio.engine.keys import hash_key
from studio.engine.models import ApiKey
from tests.engine.conftest import wsgi_client


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("engine_key", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_alone_on_its_last_line(db: None) -> None:
    output = _run("create", "ci", "--balance", "12.50", "--expires-in", "2h", "--rpm", "5")
    key = output.strip().splitlines()[-1]
    assert key.startswith("luma-api-") and " " not in key
    record = ApiKey.objects.get(secret_hash=hash_key(key))
    assert (record.name, str(record.balance), record.rpm_limit) == ("ci", "12.50", 5)
    assert record.expires_at is not None
    with wsgi_client(key) as api:
        assert api.get("/files").status_code == 200


def test_list_and_revoke(db: None) -> None:
    key = _run("create", "to-revoke").strip().splitlines()[-1]
    listed = _run("list")
    assert "to-revoke" in listed and "active" in listed and key[:17] in listed
    assert key not in listed
    assert "Revoked 1 key(s)." in _run("revoke", key[:17])
    assert "revoked" in _run("list")
    with wsgi_client(key) as api:
        assert api.get("/files").json() == {"detail": "API key has been revoked"}
    with pytest.raises(CommandError):
        _run("revoke", "to-revoke")


def test_bad_options_are_refused(db: None) -> None:
    with pytest.raises(CommandError):
        _run("create", "x", "--expires-in", "soon")
    with pytest.raises(CommandError):
        _run("create", "x", "--balance", "-3")


def test_dev_key_is_kept_private_and_reused(db: None, settings: object, tmp_path: object) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    first = ensure_dev_key()
    path = dev_key_path()
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_dev_key() == first
    assert ApiKey.objects.filter(name="development").count() == 1
    # Revoked (or a fresh database): a new key replaces the saved one.
    ApiKey.objects.update(revoked_at="2026-01-01T00:00:00Z")
    second = ensure_dev_key()
    assert second != first and path.read_text().strip() == second
    with wsgi_client(second) as api:
        assert api.get("/files").status_code == 200
