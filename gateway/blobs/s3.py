"""Blob store on S3 (or any S3-compatible store) through boto3.

Every call runs in a worker thread under an overall deadline (``anyio.fail_after``), on top of
botocore's own connect and read timeouts and ``total_max_attempts`` (``max_attempts`` counts
retries, not attempts). Every put requests server-side encryption, sends a SHA-256 checksum that
S3 verifies on upload, and stores the hex SHA-256 in the object metadata, which is checked again
on every read. botocore's exceptions are translated here and nowhere else.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import anyio
import anyio.to_thread
import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, FlexibleChecksumError
from pydantic import SecretStr

from gateway.blobs.keys import (
    KEY_PATTERN,
    DigestCheck,
    check_chunk_size,
    check_content_type,
    check_key,
    check_prefix,
    new_key,
    verify,
)
from gateway.settings import S3Settings
from kernel.blobs import (
    BlobError,
    BlobIntegrityError,
    BlobNotFound,
    BlobStoreUnavailable,
    StoredBlob,
)
from kernel.clock import Clock, SystemClock

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import PutObjectRequestTypeDef

_T = TypeVar("_T")
MAX_PRESIGN_SECONDS = 60
MAX_THREADS = 16  # S3 calls in flight at once, per store
_SHA256_META = "sha256"
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def client_config(settings: S3Settings) -> Config:
    """SigV4, short timeouts, two attempts in all (R42)."""
    return Config(
        signature_version="s3v4",
        connect_timeout=settings.connect_timeout_s,
        read_timeout=settings.read_timeout_s,
        retries={"total_max_attempts": settings.total_max_attempts, "mode": "standard"},
    )


def build_client(settings: S3Settings, *, session: boto3.session.Session | None = None) -> S3Client:
    """A client from ``session`` or a session of its own (sessions are not thread-safe; clients
    are). Reusing a session reuses its parsed service models, which makes a client cheap."""
    session = session or boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id=_secret(settings.access_key_id),
        aws_secret_access_key=_secret(settings.secret_access_key),
        config=client_config(settings),
    )


class S3BlobStore:
    """Objects in one bucket, behind the :class:`~kernel.blobs.BlobStore` port."""

    def __init__(
        self,
        client: S3Client,
        *,
        bucket: str,
        deadline_s: float,
        sse: str = "AES256",
        kms_key_id: str | None = None,
        clock: Clock | None = None,
        max_threads: int = MAX_THREADS,
    ) -> None:
        if sse not in {"AES256", "aws:kms"}:
            msg = "sse must be AES256 or aws:kms"
            raise ValueError(msg)
        self._client = client
        self._bucket = bucket
        self._deadline_s = deadline_s
        self._sse = sse
        self._kms_key_id = kms_key_id
        self._clock = clock or SystemClock()
        self._limiter = anyio.CapacityLimiter(max_threads)

    @classmethod
    def from_settings(
        cls,
        settings: S3Settings,
        *,
        clock: Clock | None = None,
        session: boto3.session.Session | None = None,
    ) -> S3BlobStore:
        if not settings.bucket:
            msg = "the s3 blob backend needs settings.s3.bucket"
            raise ValueError(msg)
        return cls(
            build_client(settings, session=session),
            bucket=settings.bucket,
            deadline_s=settings.deadline_s,
            sse=settings.sse,
            kms_key_id=settings.kms_key_id,
            clock=clock,
        )

    @property
    def client(self) -> S3Client:
        return self._client

    @property
    def bucket(self) -> str:
        return self._bucket

    def close(self) -> None:
        """Close the client's pooled connections (at shutdown)."""
        self._client.close()

    async def put(self, data: bytes, *, content_type: str, prefix: str) -> StoredBlob:
        key = new_key(prefix, self._clock)
        digest = hashlib.sha256(data).digest()
        meta = StoredBlob(
            key=key,
            sha256=digest.hex(),
            size=len(data),
            content_type=check_content_type(content_type),
        )
        request = self._put_request(meta, bytes(data), base64.b64encode(digest).decode())
        await self._call(lambda: self._client.put_object(**request), key=key)
        return meta

    async def get(self, key: str) -> bytes:
        check_key(key)
        with self._deadline():
            meta, body = await self._run(lambda: self._get_object(key), key=key)
            try:
                data = await self._read(body, None, key=key)
            finally:
                await self._close(body)
        return verify(meta, data)

    async def stream(self, key: str, *, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        """The request and then each chunk get a deadline of their own: the consumer sets the
        pace of a stream."""
        check_chunk_size(chunk_size)
        check_key(key)
        meta, body = await self._call(lambda: self._get_object(key), key=key)
        try:
            check = DigestCheck(meta)
            while True:
                with self._deadline():
                    chunk = await self._read(body, chunk_size, key=key)
                if not chunk:
                    break
                check.update(chunk)
                yield chunk
            check.finish()
        finally:
            await self._close(body)

    async def stat(self, key: str) -> StoredBlob:
        check_key(key)
        head = await self._call(
            lambda: self._client.head_object(Bucket=self._bucket, Key=key), key=key
        )
        return _meta(key, head["ContentLength"], head["ContentType"], head["Metadata"])

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._call(lambda: self._client.delete_object(Bucket=self._bucket, Key=key), key=key)

    async def keys_stored_before(self, prefix: str, before: datetime) -> list[str]:
        start = check_prefix(prefix) + "/"
        return await self._call(lambda: self._keys_before(start, before))

    def _keys_before(self, start: str, before: datetime) -> list[str]:
        """Every page of the listing under ``start`` (one thread, under the call's deadline)."""
        found: list[str] = []
        pages = self._client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self._bucket, Prefix=start):
            found.extend(
                item["Key"]
                for item in page.get("Contents", [])
                if KEY_PATTERN.match(item["Key"]) and item["LastModified"] < before
            )
        return sorted(found)

    async def check(self) -> None:
        try:
            await self._call(lambda: self._client.head_bucket(Bucket=self._bucket))
        except BlobNotFound:
            raise BlobStoreUnavailable("blob bucket missing", backend="s3") from None

    async def presigned_get_url(self, key: str, *, expires_in: int = MAX_PRESIGN_SECONDS) -> str:
        """A SigV4 GET URL for one object, valid at most 60 seconds (R14)."""
        check_key(key)
        if not 0 < expires_in <= MAX_PRESIGN_SECONDS:
            msg = f"presigned URLs live 1 to {MAX_PRESIGN_SECONDS} seconds"
            raise ValueError(msg)
        if cast("Any", self._client.meta.config).signature_version != "s3v4":
            msg = "presigned URLs need a SigV4 client"
            raise ValueError(msg)
        params = {"Bucket": self._bucket, "Key": key}
        return await self._call(
            lambda: self._client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires_in, HttpMethod="GET"
            ),
            key=key,
        )

    def _put_request(self, meta: StoredBlob, data: bytes, checksum: str) -> PutObjectRequestTypeDef:
        request: PutObjectRequestTypeDef = {
            "Bucket": self._bucket,
            "Key": meta.key,
            "Body": data,
            "ContentType": meta.content_type,
            "ChecksumAlgorithm": "SHA256",
            "ChecksumSHA256": checksum,
            "Metadata": {_SHA256_META: meta.sha256},
        }
        if self._sse == "aws:kms":
            request["ServerSideEncryption"] = "aws:kms"
            if self._kms_key_id:
                request["SSEKMSKeyId"] = self._kms_key_id
                request["BucketKeyEnabled"] = True
        else:
            request["ServerSideEncryption"] = "AES256"
        return request

    def _get_object(self, key: str) -> tuple[StoredBlob, StreamingBody]:
        response = self._client.get_object(Bucket=self._bucket, Key=key, ChecksumMode="ENABLED")
        meta = _meta(key, response["ContentLength"], response["ContentType"], response["Metadata"])
        return meta, response["Body"]

    async def _call(self, func: Callable[[], _T], *, key: str | None = None) -> _T:
        """Run ``func`` in a worker thread under the deadline."""
        with self._deadline():
            return await self._run(func, key=key)

    @contextlib.contextmanager
    def _deadline(self) -> Iterator[None]:
        """The overall deadline of one call, on top of botocore's timeouts and attempts."""
        try:
            with anyio.fail_after(self._deadline_s):
                yield
        except TimeoutError:
            raise BlobStoreUnavailable("blob store deadline exceeded", backend="s3") from None

    async def _run(self, func: Callable[[], _T], *, key: str | None) -> _T:
        """Run ``func`` in one of this store's worker threads; translate botocore's errors.

        At most ``max_threads`` calls run at once. On cancellation (the deadline) the thread is
        abandoned, not awaited; a read is then unblocked by :func:`_shut_down`.
        """
        try:
            return await anyio.to_thread.run_sync(
                func, abandon_on_cancel=True, limiter=self._limiter
            )
        except ClientError as exc:
            raise _translate(exc, key) from None
        except FlexibleChecksumError:
            raise BlobIntegrityError("blob checksum mismatch", key=key) from None
        except BotoCoreError as exc:
            raise BlobStoreUnavailable(
                "blob store unreachable", backend="s3", error=type(exc).__name__
            ) from None

    async def _read(self, body: StreamingBody, amount: int | None, *, key: str) -> bytes:
        """Read from a response body; if the read is abandoned, unblock its thread."""
        try:
            return await self._run(lambda: body.read(amount), key=key)
        except BaseException:
            _shut_down(body)
            raise

    async def _close(self, body: StreamingBody) -> None:
        """Close a body off the loop (a close waits for a read still running in another thread);
        shielded, so it runs on cancellation too, and bounded."""
        with anyio.move_on_after(1, shield=True):
            await anyio.to_thread.run_sync(
                body.close, abandon_on_cancel=True, limiter=self._limiter
            )


def _shut_down(body: StreamingBody) -> None:
    """Shut the socket under ``body`` for reading, so a thread blocked on it returns at once.

    botocore exposes no way to abort a read from another thread; urllib3's response does
    (``shutdown``, urllib3 >= 2.3). Best effort: if the internals differ, the abandoned thread
    ends with the connection, bounded by the read timeout.
    """
    raw = getattr(body, "_raw_stream", None)
    shutdown = getattr(raw, "shutdown", None)
    if callable(shutdown):
        with contextlib.suppress(Exception):
            shutdown()


def _translate(exc: ClientError, key: str | None) -> BlobError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code in _NOT_FOUND:
        return BlobNotFound("blob not found", key=key)
    return BlobStoreUnavailable(
        "blob store refused the call", backend="s3", status=status, s3_code=code
    )


def _meta(key: str, size: int, content_type: str, metadata: dict[str, str]) -> StoredBlob:
    sha256 = metadata.get(_SHA256_META)
    if not sha256:
        raise BlobIntegrityError("blob metadata missing", key=key)
    return StoredBlob(key=key, sha256=sha256, size=size, content_type=content_type)


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()
