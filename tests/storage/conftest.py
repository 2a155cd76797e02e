"""The studio's storage on both backends: MEDIA_ROOT on disk, and an S3 bucket.

The bucket lives in moto's S3-compatible server, started once on loopback; each test
gets a bucket of its own, and django-storages talks to it over real HTTP.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from studio.client import Client
from studio.engine.testing import create_key

REGION = "us-east-1"
# Where the local engine's uploads and outputs go in the bucket (STORAGES["engine"]).
ENGINE_PREFIX = "engine/"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    # Port 0: the system picks a free one, read back once the server listens.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class Bucket:
    """A fresh bucket and a boto3 client to look into it from outside the studio."""

    def __init__(self, endpoint: str) -> None:
        self.name = f"studio-{uuid.uuid4().hex[:20]}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="studio-test",
            aws_secret_access_key="studio-test-secret",
        )
        self.client.create_bucket(Bucket=self.name)

    def objects(self) -> set[str]:
        """The studio's own objects (the local engine keeps its own under ENGINE_PREFIX)."""
        return {key for key in self.all_objects() if not key.startswith(ENGINE_PREFIX)}

    def engine_objects(self) -> set[str]:
        """The local engine's objects, by their names in its store (the prefix cut off)."""
        return {
            key.removeprefix(ENGINE_PREFIX)
            for key in self.all_objects()
            if key.startswith(ENGINE_PREFIX)
        }

    def all_objects(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture(autouse=True)
def _temp_folder_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Scratch folders go to the system's temp folder: each test gets one of its own, so
    what a test leaves there is never confused with what another one beside it makes."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("temp")))


@pytest.fixture(params=["disk", "s3"])
def backend(request: pytest.FixtureRequest, settings: Any) -> Iterator[Bucket | None]:
    """The studio's media on disk (None) or in a bucket of its own (the Bucket)."""
    if request.param == "disk":
        yield None
        return
    bucket = Bucket(request.getfixturevalue("s3_endpoint"))
    settings.AWS_STORAGE_BUCKET_NAME = bucket.name
    settings.AWS_S3_ENDPOINT_URL = request.getfixturevalue("s3_endpoint")
    settings.AWS_ACCESS_KEY_ID = "studio-test"
    settings.AWS_SECRET_ACCESS_KEY = "studio-test-secret"
    settings.AWS_S3_REGION_NAME = REGION
    settings.STUDIO_STORAGE = "s3"
    # Last: Django's setting_changed handler for STORAGES drops the cached storages, so
    # the next use builds an S3Storage from the AWS settings above.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
        # The local engine's uploads and outputs, under a prefix of the same bucket.
        "engine": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"location": "engine"}},
    }
    yield bucket


@pytest.fixture
def engine(live_server: Any, settings: Any) -> Iterator[Client]:
    """The studio's local engine on the live server, as the generation API."""
    settings.LUMA_BASE_URL = f"{live_server.url}/v1"
    settings.LUMA_AGENTS_API_KEY = create_key("storage")
    with Client(settings.LUMA_BASE_URL, settings.LUMA_AGENTS_API_KEY) as client:
        yield client
