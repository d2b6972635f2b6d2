"""What only the S3 adapter promises: encryption, upload checksums, client limits, presigning."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from botocore.config import Config

from gateway.blobs.s3 import S3BlobStore, build_client, client_config
from gateway.settings import S3Settings
from kernel.blobs import BlobIntegrityError, BlobKeyRejected, BlobStoreUnavailable

pytestmark = [pytest.mark.anyio, pytest.mark.s3]

PDF = b"%PDF-1.7\nsynthetic record\n%%EOF\n"


StoreFor = Callable[..., S3BlobStore]


@pytest.fixture
def store(s3_settings: S3Settings, s3_store_for: StoreFor) -> S3BlobStore:
    return s3_store_for(s3_settings)


class TestUpload:
    async def test_every_put_asks_for_server_side_encryption(self, store: S3BlobStore) -> None:
        stored = await store.put(PDF, content_type="application/pdf", prefix="records")

        head = store.client.head_object(Bucket=store.bucket, Key=stored.key)
        assert head["ServerSideEncryption"] == "AES256"

    async def test_kms_encryption_names_the_key_and_uses_a_bucket_key(
        self, s3_settings: S3Settings, s3_store_for: StoreFor
    ) -> None:
        kms_settings = s3_settings.model_copy(update={"sse": "aws:kms", "kms_key_id": "roi-key-1"})
        store = s3_store_for(kms_settings)

        stored = await store.put(PDF, content_type="application/pdf", prefix="records")

        head = store.client.head_object(Bucket=store.bucket, Key=stored.key)
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"].endswith("roi-key-1")
        assert await store.get(stored.key) == PDF

    async def test_the_upload_carries_a_sha256_checksum_that_s3_keeps(
        self, store: S3BlobStore
    ) -> None:
        stored = await store.put(PDF, content_type="application/pdf", prefix="records")

        head = store.client.head_object(Bucket=store.bucket, Key=stored.key, ChecksumMode="ENABLED")
        assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(PDF).digest()).decode()
        assert head["Metadata"] == {"sha256": hashlib.sha256(PDF).hexdigest()}
        assert head["ContentType"] == "application/pdf"


async def test_every_s3_request_is_sent_from_a_worker_thread(store: S3BlobStore) -> None:
    loop_thread = threading.current_thread()
    senders: list[threading.Thread] = []
    store.client.meta.events.register(
        "before-send.s3", lambda **_: senders.append(threading.current_thread())
    )

    stored = await store.put(PDF, content_type="application/pdf", prefix="records")
    await store.get(stored.key)
    [_ async for _ in store.stream(stored.key)]
    await store.stat(stored.key)
    await store.delete(stored.key)
    await store.check()

    assert len(senders) == 6
    assert loop_thread not in senders


async def test_an_object_without_our_digest_is_an_integrity_failure(store: S3BlobStore) -> None:
    stored = await store.put(PDF, content_type="application/pdf", prefix="records")
    store.client.put_object(Bucket=store.bucket, Key=stored.key, Body=PDF)  # no metadata

    with pytest.raises(BlobIntegrityError):
        await store.get(stored.key)
    with pytest.raises(BlobIntegrityError):
        await store.stat(stored.key)


class TestClientLimits:
    def test_the_client_signs_v4_with_short_timeouts_and_two_attempts_in_all(self) -> None:
        client = build_client(S3Settings(endpoint_url="http://127.0.0.1:9", bucket="b"))
        config = client.meta.config
        client.close()

        assert config.signature_version == "s3v4"  # type: ignore[attr-defined]
        assert config.connect_timeout == 2  # type: ignore[attr-defined]
        assert config.read_timeout == 4  # type: ignore[attr-defined]
        assert config.retries == {"total_max_attempts": 2, "mode": "standard"}  # type: ignore[attr-defined]

    def test_limits_follow_the_settings(self) -> None:
        settings = S3Settings(connect_timeout_s=1.5, read_timeout_s=3, total_max_attempts=1)

        config = client_config(settings)

        assert (config.connect_timeout, config.read_timeout) == (1.5, 3)  # type: ignore[attr-defined]
        assert config.retries == {"total_max_attempts": 1, "mode": "standard"}  # type: ignore[attr-defined]

    def test_a_store_without_a_bucket_is_a_configuration_error(self) -> None:
        with pytest.raises(ValueError, match="bucket"):
            S3BlobStore.from_settings(S3Settings(endpoint_url="http://127.0.0.1:9"))

    async def test_check_fails_when_the_bucket_is_missing(
        self, s3_settings: S3Settings, s3_store_for: StoreFor
    ) -> None:
        missing = s3_settings.model_copy(update={"bucket": "roi-no-such-bucket"})
        store = s3_store_for(missing)

        with pytest.raises(BlobStoreUnavailable):
            await store.check()


class TestPresignedGet:
    """R14: SigV4 only and at most 60 seconds (moto enforces neither, so the URL is inspected)."""

    async def test_a_presigned_url_is_sigv4_and_lives_sixty_seconds(
        self, store: S3BlobStore
    ) -> None:
        stored = await store.put(PDF, content_type="application/pdf", prefix="packets")

        url = await store.presigned_get_url(stored.key)

        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert query["X-Amz-Expires"] == ["60"]
        assert "Signature" not in query
        async with httpx.AsyncClient(timeout=5) as http:
            assert (await http.get(url)).content == PDF

    async def test_a_shorter_lifetime_is_kept(self, store: S3BlobStore) -> None:
        stored = await store.put(PDF, content_type="application/pdf", prefix="packets")

        url = await store.presigned_get_url(stored.key, expires_in=15)

        assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["15"]

    @pytest.mark.parametrize("expires_in", [61, 3600, 7 * 24 * 3600, 0, -1])
    async def test_a_lifetime_outside_one_to_sixty_seconds_is_refused(
        self, store: S3BlobStore, expires_in: int
    ) -> None:
        stored = await store.put(PDF, content_type="application/pdf", prefix="packets")

        with pytest.raises(ValueError, match="60 seconds"):
            await store.presigned_get_url(stored.key, expires_in=expires_in)

    async def test_a_key_we_did_not_generate_is_refused(self, store: S3BlobStore) -> None:
        with pytest.raises(BlobKeyRejected):
            await store.presigned_get_url("../secrets")

    async def test_a_client_that_would_sign_v2_is_refused(
        self, s3_settings: S3Settings, boto_session: boto3.session.Session
    ) -> None:
        assert s3_settings.bucket is not None
        v2_client = boto_session.client(
            "s3",
            endpoint_url=s3_settings.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(signature_version="s3"),
        )
        store = S3BlobStore(v2_client, bucket=s3_settings.bucket, deadline_s=5)
        key = "packets/2026/03/" + "0" * 32

        with pytest.raises(ValueError, match="SigV4"):
            await store.presigned_get_url(key)
        store.close()
