"""The attachment tests run on both storages: a folder, and a real S3-compatible server (moto's, in this process,
on 127.0.0.1 and an ephemeral port, stopped at the end of the run)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from app.settings import Settings
from tests.conftest import make_settings

S3_KEYS = {"s3_access_key_id": "testing", "s3_secret_access_key": "testing", "s3_region": "us-east-1"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["file", "s3"])
def storage_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    if request.param == "file":
        return {"storage_url": f"file://{tmp_path / 'files'}"}
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"crisisdesk-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                          region_name="us-east-1")  # fmt: skip
    client.create_bucket(Bucket=bucket)
    return {"storage_url": f"s3://{bucket}/crisisdesk", "s3_endpoint_url": endpoint, **S3_KEYS}


@pytest.fixture
def settings(db_url: str, storage_settings: dict[str, Any]) -> Settings:
    return make_settings(db_url, **storage_settings)
