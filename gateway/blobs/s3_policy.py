"""The S3 bucket hardening we ask of a deployment (R14, R34), as plain data.

moto ignores the Conditions of Deny statements, so these documents are tested as data and applied
by the deployment (``aws s3api put-bucket-policy`` and friends), not relied on in tests.
"""

from __future__ import annotations

from typing import Any

SIGV4 = "AWS4-HMAC-SHA256"
MAX_SIGNATURE_AGE_MS = 60_000
MIN_TLS_VERSION = 1.2


def bucket_policy(
    bucket: str, *, kms_key_arn: str | None = None, max_signature_age_ms: int = MAX_SIGNATURE_AGE_MS
) -> dict[str, Any]:
    """A bucket policy: TLS only (1.2+), SigV4 only, signatures at most a minute old, encrypted
    puts only (SSE-KMS with the given key when ``kms_key_arn`` is set, else SSE-S3)."""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    everything = [bucket_arn, f"{bucket_arn}/*"]
    objects = f"{bucket_arn}/*"
    sse = "s3:x-amz-server-side-encryption"
    statements = [
        _deny("DenyInsecureTransport", everything, Bool={"aws:SecureTransport": "false"}),
        _deny("DenyOldTls", everything, NumericLessThan={"s3:TlsVersion": MIN_TLS_VERSION}),
        _deny("DenyNonSigV4", everything, StringNotEquals={"s3:signatureversion": SIGV4}),
        _deny(
            "DenyStaleSignatures",
            everything,
            NumericGreaterThan={"s3:signatureAge": max_signature_age_ms},
        ),
        _deny("DenyUnencryptedPuts", objects, "s3:PutObject", Null={sse: "true"}),
        _deny(
            "DenyWrongEncryption",
            objects,
            "s3:PutObject",
            StringNotEquals={sse: "aws:kms" if kms_key_arn else "AES256"},
        ),
    ]
    if kms_key_arn:
        key_id = f"{sse}-aws-kms-key-id"
        statements.append(
            _deny("DenyWrongKmsKey", objects, "s3:PutObject", StringNotEquals={key_id: kms_key_arn})
        )
    return {"Version": "2012-10-17", "Statement": statements}


def public_access_block() -> dict[str, bool]:
    """``PublicAccessBlockConfiguration`` for ``put_public_access_block``: all four on."""
    return {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


def default_encryption(kms_key_arn: str | None = None) -> dict[str, Any]:
    """``ServerSideEncryptionConfiguration``: SSE-KMS with a Bucket Key, or SSE-S3."""
    if kms_key_arn:
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key_arn}
        return {
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]
        }
    return {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}


def versioning() -> dict[str, str]:
    """``VersioningConfiguration``: versioning on."""
    return {"Status": "Enabled"}


def _deny(
    sid: str, resource: str | list[str], action: str = "s3:*", **condition: dict[str, object]
) -> dict[str, Any]:
    """A Deny statement for everyone; ``condition`` is ``{operator: {key: value}}``."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": condition,
    }
