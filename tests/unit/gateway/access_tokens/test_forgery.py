"""Forged tokens, attack 1 of SECURITY.md: none of them is accepted, and every refusal is the same
``TokenRejected`` with the same message (R1, R2, R4, R5). The first test proves the forging rig
makes tokens the verifier accepts, so each refusal below is caused by the one thing spoiled."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from gateway.access_tokens import MAX_TOKEN_BYTES, Purpose, RejectReason
from tests.unit.gateway.access_tokens.conftest import refused
from tests.unit.gateway.access_tokens.forge import (
    AUDIENCE,
    SUBJECT,
    Rig,
    b64,
    compact,
    encode,
    hs256,
)


def test_the_rig_forges_tokens_the_verifier_accepts(rig: Rig) -> None:
    claims = rig.verify(rig.forge())
    assert (claims.subject, claims.audience, claims.token_id) == (SUBJECT, AUDIENCE, "jti-0001")


class TestAlgorithm:
    """R1: one algorithm, HS256; no `none`, no switching, no public key used as an HMAC secret."""

    def test_R1_alg_none_without_a_signature_is_refused(self, rig: Rig) -> None:
        token = encode(rig.header(alg="none"), rig.payload(), None)
        assert token.endswith(".")
        assert refused(rig, token).reason is RejectReason.MALFORMED

    @pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
    def test_R1_alg_none_with_a_signature_is_refused(self, rig: Rig, alg: str) -> None:
        token = rig.forge(header=rig.header(alg=alg))
        assert refused(rig, token).reason is RejectReason.ALGORITHM

    @pytest.mark.parametrize("alg", ["HS384", "HS512", "hs256", "HS256 ", ["HS256"]])
    def test_R1_other_hmac_algorithms_with_our_own_key_are_refused(
        self, rig: Rig, alg: object
    ) -> None:
        digest = hashes.SHA512() if alg == "HS512" else hashes.SHA384()

        def sign(data: bytes) -> bytes:
            mac = hmac.HMAC(rig.secret, digest)
            mac.update(data)
            return mac.finalize()

        token = encode(rig.header(alg=alg), rig.payload(), sign)
        assert refused(rig, token).reason is RejectReason.ALGORITHM

    def test_R1_rs256_signed_by_an_attacker_key_is_refused(self, rig: Rig) -> None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = encode(
            rig.header(alg="RS256"),
            rig.payload(),
            lambda data: private.sign(data, padding.PKCS1v15(), hashes.SHA256()),
        )
        assert refused(rig, token).reason is RejectReason.ALGORITHM

    def test_R1_es256_signed_by_an_attacker_key_is_refused(self, rig: Rig) -> None:
        private = ec.generate_private_key(ec.SECP256R1())
        token = encode(
            rig.header(alg="ES256"),
            rig.payload(),
            lambda data: private.sign(data, ec.ECDSA(hashes.SHA256())),
        )
        assert refused(rig, token).reason is RejectReason.ALGORITHM


def _public_key_bytes() -> dict[str, bytes]:
    """An RSA and an EC public key in every form an algorithm-confusion attack uses as an HMAC
    secret (CVE-2024-33663 used the DER form)."""
    keys = {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(),
        "ec": ec.generate_private_key(ec.SECP256R1()).public_key(),
    }
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    forms: dict[str, Callable[[rsa.RSAPublicKey | ec.EllipticCurvePublicKey], bytes]] = {
        "pem": lambda k: k.public_bytes(serialization.Encoding.PEM, spki),
        "der": lambda k: k.public_bytes(serialization.Encoding.DER, spki),
        "openssh": lambda k: k.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ),
    }
    result = {
        f"{kind}-{form}": encode_(key)
        for kind, key in keys.items()
        for form, encode_ in forms.items()
    }
    rsa_key = keys["rsa"]
    assert isinstance(rsa_key, rsa.RSAPublicKey)
    result["rsa-pkcs1-pem"] = rsa_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
    result["rsa-pkcs1-der"] = rsa_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    return result


PUBLIC_KEYS = _public_key_bytes()


@pytest.mark.parametrize("form", sorted(PUBLIC_KEYS))
def test_R1_hs256_signed_with_public_key_bytes_is_refused(rig: Rig, form: str) -> None:
    """Correct header (our kid and typ) and claims; only the HMAC key is a public key's bytes."""
    token = rig.forge(key=PUBLIC_KEYS[form])
    assert refused(rig, token).reason is RejectReason.SIGNATURE


@pytest.mark.parametrize("form", sorted(PUBLIC_KEYS))
def test_R1_public_key_bytes_with_an_asymmetric_alg_header_are_refused(rig: Rig, form: str) -> None:
    token = encode(rig.header(alg="RS256"), rig.payload(), lambda d: PUBLIC_KEYS[form][:256])
    assert refused(rig, token).reason is RejectReason.ALGORITHM


class TestHeader:
    """R2 (typ) and R5: only `alg`, `typ` and `kid`, each as we set them."""

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("jku", "https://attacker.example/jwks.json"),
            ("x5u", "https://attacker.example/cert.pem"),
            ("jwk", {"kty": "oct", "k": "QUFBQQ"}),
            ("x5c", ["MIIB"]),
            ("x5t", "abc"),
            ("crit", ["exp"]),
            ("crit", ["b64"]),
            ("b64", False),
            ("zip", "DEF"),
            ("cty", "JWT"),
            ("enc", "A256GCM"),
        ],
    )
    def test_R5_an_extra_header_member_is_refused(self, rig: Rig, name: str, value: object) -> None:
        error = refused(rig, rig.forge(header=rig.header(**{name: value})))
        assert (error.reason, error.detail) == (RejectReason.HEADER_FIELD, "unexpected")

    @pytest.mark.parametrize("name", ["alg", "typ", "kid"])
    def test_R2_R5_a_missing_header_member_is_refused(self, rig: Rig, name: str) -> None:
        header = rig.header()
        del header[name]
        error = refused(rig, rig.forge(header=header))
        assert (error.reason, error.detail) == (RejectReason.HEADER_FIELD, name)

    @pytest.mark.parametrize(
        "typ", ["JWT", "jwt", "roi-link_code+jwt", "at+jwt", "roi-download_link+JWT", 1]
    )
    def test_R2_a_wrong_typ_is_refused(self, rig: Rig, typ: object) -> None:
        assert refused(rig, rig.forge(header=rig.header(typ=typ))).reason is RejectReason.TYPE

    @pytest.mark.parametrize("kid", ["0123456789abcdef", "", "../../etc/passwd", 7, None, ["x"]])
    def test_R5_an_unknown_or_malformed_kid_is_refused(self, rig: Rig, kid: object) -> None:
        header = rig.header()
        header["kid"] = kid
        assert refused(rig, rig.forge(header=header)).reason is RejectReason.UNKNOWN_KEY

    def test_R5_the_kid_of_another_key_of_the_same_purpose_is_refused(self) -> None:
        """python-jose ignores `kid`; we pick the key by it, so a real signature under another
        existing kid of the same purpose fails."""
        first = Rig.build()
        older = first.keyring.active(Purpose.DOWNLOAD_LINK)
        rig = Rig.build(first.keyring.rotated(first.clock.now()), first.clock)
        newer = rig.keyring.active(Purpose.DOWNLOAD_LINK)
        assert rig.verify(rig.forge(key=older.secret, header=rig.header(kid=older.kid)))
        assert rig.verify(rig.forge(key=newer.secret, header=rig.header(kid=newer.kid)))
        old_key_new_kid = rig.forge(key=older.secret, header=rig.header(kid=newer.kid))
        assert refused(rig, old_key_new_kid).reason is RejectReason.SIGNATURE
        new_key_old_kid = rig.forge(key=newer.secret, header=rig.header(kid=older.kid))
        assert refused(rig, new_key_old_kid).reason is RejectReason.SIGNATURE

    def test_R7_a_token_signed_with_another_purposes_key_is_refused(self, rig: Rig) -> None:
        other = rig.keyring.active(Purpose.LINK_CODE)
        as_ours = rig.forge(key=other.secret)  # our kid and typ, their key
        assert refused(rig, as_ours).reason is RejectReason.SIGNATURE
        their_kid = rig.forge(key=other.secret, header=rig.header(kid=other.kid))
        assert refused(rig, their_kid).reason is RejectReason.UNKNOWN_KEY

    def test_R7_a_real_token_of_another_purpose_is_refused(self, rig: Rig) -> None:
        issued = rig.tokens.issue(Purpose.LINK_CODE, subject=SUBJECT, audience=AUDIENCE)
        assert refused(rig, issued.token).reason is RejectReason.TYPE

    @pytest.mark.parametrize(
        "header", [b"[]", b'"x"', b"null", b"{", b'{"alg":"HS256","alg":"HS256"}']
    )
    def test_a_header_that_is_not_one_json_object_is_refused(self, rig: Rig, header: bytes) -> None:
        token = f"{b64(header)}.{b64(compact(rig.payload()))}.{b64(b'x' * 32)}"
        assert refused(rig, token).reason is RejectReason.MALFORMED


class TestClaimsPresent:
    """R2: every one of the seven claims is required; python-jose alone would accept a token
    without `exp` or `aud`."""

    @pytest.mark.parametrize("claim", ["exp", "nbf", "iat", "aud", "iss", "sub", "jti"])
    def test_R2_a_token_missing_a_claim_is_refused(self, rig: Rig, claim: str) -> None:
        error = refused(rig, rig.forge(payload=rig.payload(**{claim: None})))
        assert (error.reason, error.detail) == (RejectReason.MISSING_CLAIM, claim)

    @pytest.mark.parametrize(
        ("claim", "value"),
        [
            ("exp", "1900000000"),
            ("exp", 1.9e9),
            ("exp", True),
            ("exp", None),
            ("iat", -5),
            ("nbf", 10**20),
            ("sub", ""),
            ("sub", 42),
            ("jti", ["a"]),
            ("iss", {"a": 1}),
            ("aud", ""),
            ("extra", 1.5),
            ("extra", ["x"]),
        ],
    )
    def test_R2_a_claim_of_the_wrong_type_is_refused(
        self, rig: Rig, claim: str, value: object
    ) -> None:
        payload = rig.payload()
        payload[claim] = value
        error = refused(rig, rig.forge(payload=payload))
        assert error.reason is RejectReason.INVALID_CLAIM
        assert error.detail == claim

    @pytest.mark.parametrize(
        "aud", ["recipient-other", [AUDIENCE], [AUDIENCE, "x"], "RECIPIENT-7F3A"]
    )
    def test_R2_a_wrong_audience_is_refused(self, rig: Rig, aud: object) -> None:
        error = refused(rig, rig.forge(payload=rig.payload(aud=aud)))
        assert error.reason in {RejectReason.AUDIENCE, RejectReason.INVALID_CLAIM}

    def test_R2_the_right_token_for_another_audience_is_refused(self, rig: Rig) -> None:
        assert refused(rig, rig.forge(), audience="recipient-other").reason is RejectReason.AUDIENCE

    def test_R2_a_wrong_issuer_is_refused(self, rig: Rig) -> None:
        token = rig.forge(payload=rig.payload(iss="https://attacker.example"))
        assert refused(rig, token).reason is RejectReason.ISSUER

    def test_a_payload_with_a_duplicate_claim_is_refused(self, rig: Rig) -> None:
        body = compact(rig.payload()).replace(b'"aud":', b'"aud":"recipient-other","aud":', 1)
        header = b64(compact(rig.header()))
        signing_input = f"{header}.{b64(body)}"
        token = f"{signing_input}.{b64(hs256(rig.secret)(signing_input.encode()))}"
        assert refused(rig, token).reason is RejectReason.MALFORMED


class TestShape:
    """R4: size first, then exactly three canonical base64url segments."""

    def test_R4_an_oversize_token_is_refused_before_parsing(self, rig: Rig) -> None:
        padded = rig.forge(payload=rig.payload(pad="x" * MAX_TOKEN_BYTES))
        assert refused(rig, padded).reason is RejectReason.OVERSIZE
        garbage = "\x00" * (MAX_TOKEN_BYTES + 1)  # not even a token: never parsed
        assert refused(rig, garbage).reason is RejectReason.OVERSIZE
        assert refused(rig, "a" * 10_000_000).reason is RejectReason.OVERSIZE

    def test_R4_tokens_up_to_the_limit_verify_and_one_past_it_does_not(self, rig: Rig) -> None:
        base = len(rig.forge(payload=rig.payload(pad="")))
        start = (MAX_TOKEN_BYTES - base) * 3 // 4 - 8
        padded = (rig.forge(payload=rig.payload(pad="x" * n)) for n in range(start, start + 16))
        by_length = {len(token): token for token in padded}
        near = [n for n in by_length if MAX_TOKEN_BYTES - 2 <= n <= MAX_TOKEN_BYTES + 2]
        assert any(n <= MAX_TOKEN_BYTES for n in near)
        assert any(n > MAX_TOKEN_BYTES for n in near)
        for length in near:
            if length <= MAX_TOKEN_BYTES:
                assert rig.verify(by_length[length]).extra["pad"]
            else:
                assert refused(rig, by_length[length]).reason is RejectReason.OVERSIZE

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "a",
            "a.b",
            "a.b.c.d",
            "..",
            "a..c",
            "eyJ.eyJ.",
            "a.b.c=",
            "a+b.c.d",
            "a/b.c.d",
            " a.b.c",
            "a.b.c\n",
            "ä.b.c",
        ],
    )
    def test_R4_a_string_that_is_not_three_segments_is_refused(self, rig: Rig, token: str) -> None:
        assert refused(rig, token).reason is RejectReason.MALFORMED

    @pytest.mark.parametrize("token", [None, b"a.b.c", 12, ["a", "b", "c"]])
    def test_something_not_a_string_is_refused(self, rig: Rig, token: object) -> None:
        assert refused(rig, token).reason is RejectReason.NOT_A_STRING

    def test_a_second_spelling_of_the_signature_is_refused(self, rig: Rig) -> None:
        """32 signature bytes take 43 base64url characters, the last with 2 unused bits: setting
        them decodes to the same signature. Non-canonical spellings are refused."""
        token = rig.forge()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        last = alphabet.index(token[-1])
        assert last % 4 == 0
        for unused in (1, 2, 3):
            respelled = token[:-1] + alphabet[last + unused]
            assert refused(rig, respelled).reason is RejectReason.MALFORMED
