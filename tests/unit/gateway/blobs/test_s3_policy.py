"""R14 and R34 as data: moto ignores the Conditions of Deny statements, so read the documents."""

from __future__ import annotations

import json
from typing import Any

from gateway.blobs.s3_policy import (
    bucket_policy,
    default_encryption,
    public_access_block,
    versioning,
)

KMS_ARN = "arn:aws:kms:us-east-1:111122223333:key/roi-test"


def statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    [found] = [s for s in policy["Statement"] if s["Sid"] == sid]
    return found


def test_every_statement_denies_everyone() -> None:
    policy = bucket_policy("roi-packets", kms_key_arn=KMS_ARN)

    assert policy["Version"] == "2012-10-17"
    assert {(s["Effect"], s["Principal"]) for s in policy["Statement"]} == {("Deny", "*")}
    assert len({s["Sid"] for s in policy["Statement"]}) == len(policy["Statement"])


def test_plain_http_is_denied_on_the_bucket_and_its_objects() -> None:
    deny = statement(bucket_policy("roi-packets"), "DenyInsecureTransport")

    assert deny["Action"] == "s3:*"
    assert deny["Resource"] == ["arn:aws:s3:::roi-packets", "arn:aws:s3:::roi-packets/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_tls_below_1_2_is_denied() -> None:
    deny = statement(bucket_policy("roi-packets"), "DenyOldTls")

    assert deny["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}}


def test_only_sigv4_signatures_at_most_a_minute_old_are_accepted() -> None:
    policy = bucket_policy("roi-packets")

    assert statement(policy, "DenyNonSigV4")["Condition"] == {
        "StringNotEquals": {"s3:signatureversion": "AWS4-HMAC-SHA256"}
    }
    assert statement(policy, "DenyStaleSignatures")["Condition"] == {
        "NumericGreaterThan": {"s3:signatureAge": 60_000}
    }


def test_a_put_without_encryption_is_denied() -> None:
    deny = statement(bucket_policy("roi-packets"), "DenyUnencryptedPuts")

    assert deny["Action"] == "s3:PutObject"
    assert deny["Resource"] == "arn:aws:s3:::roi-packets/*"
    assert deny["Condition"] == {"Null": {"s3:x-amz-server-side-encryption": "true"}}


def test_with_a_kms_key_only_that_key_may_encrypt_puts() -> None:
    policy = bucket_policy("roi-packets", kms_key_arn=KMS_ARN)

    assert statement(policy, "DenyWrongEncryption")["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}
    }
    assert statement(policy, "DenyWrongKmsKey")["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KMS_ARN}
    }


def test_without_a_kms_key_puts_must_ask_for_sse_s3() -> None:
    policy = bucket_policy("roi-packets")

    assert statement(policy, "DenyWrongEncryption")["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}
    }
    assert "DenyWrongKmsKey" not in {s["Sid"] for s in policy["Statement"]}


def test_the_policy_is_json_within_the_bucket_policy_size_limit() -> None:
    text = json.dumps(bucket_policy("roi-packets", kms_key_arn=KMS_ARN))

    assert json.loads(text) == bucket_policy("roi-packets", kms_key_arn=KMS_ARN)
    assert len(text.encode()) < 20 * 1024


def test_public_access_is_blocked_four_ways() -> None:
    assert public_access_block() == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


def test_default_encryption_is_kms_with_a_bucket_key_when_a_key_is_given() -> None:
    [rule] = default_encryption(KMS_ARN)["Rules"]

    assert rule == {
        "ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": KMS_ARN,
        },
        "BucketKeyEnabled": True,
    }
    assert default_encryption()["Rules"] == [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]


def test_versioning_is_on() -> None:
    assert versioning() == {"Status": "Enabled"}
