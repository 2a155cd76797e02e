"""STUDIO_STORAGE chooses the store, read by a fresh process as a server would."""

from __future__ import annotations

from pathlib import Path

from tests.security.test_settings import run, settings_of

S3 = {
    "STUDIO_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "studio-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.com:9000",
    "AWS_S3_REGION_NAME": "eu-west-1",
}


def test_disk_is_the_default(tmp_path: Path) -> None:
    storages, origins = settings_of(tmp_path, {}, "STORAGES", "STUDIO_MEDIA_ORIGINS")
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    # The local engine's files: on disk too, under ENGINE_MEDIA_ROOT.
    assert storages["engine"] == {"BACKEND": "studio.engine.storage.EngineDiskStorage"}
    assert origins == []


def test_s3_selects_the_bucket_and_lets_pages_play_from_it(tmp_path: Path) -> None:
    storages, origins, csp = settings_of(
        tmp_path, S3, "STORAGES", "STUDIO_MEDIA_ORIGINS", "SECURE_CSP"
    )
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    # The local engine's files go to the same bucket, under a prefix of their own.
    assert storages["engine"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "engine"},
    }
    assert origins == ["https://s3.example.com:9000"]
    assert "https://s3.example.com:9000" in csp["media-src"]


def test_a_storage_misconfiguration_stops_the_start(tmp_path: Path) -> None:
    code = "import django; django.setup()"
    result = run(tmp_path, {"STUDIO_STORAGE": "ftp"}, "-c", code)
    assert result.returncode != 0 and "STUDIO_STORAGE must be disk or s3" in result.stderr
    result = run(tmp_path, {**S3, "AWS_STORAGE_BUCKET_NAME": ""}, "-c", code)
    assert result.returncode != 0
    assert "STUDIO_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr
