"""The keyring: 256-bit CSPRNG keys, one active key per purpose (R7), rotation with a grace of the
longest lifetime plus leeway for retired keys (R6), and its JSON form."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest

from gateway.access_tokens import (
    MAX_LIFETIME,
    RETIRED_KEY_GRACE,
    AccessTokens,
    Keyring,
    KeyringInvalid,
    Purpose,
    RejectReason,
    SigningKey,
    StaticKeys,
)
from tests.unit.gateway.access_tokens.conftest import refused
from tests.unit.gateway.access_tokens.forge import AUDIENCE, SUBJECT, T0, Rig

SECOND = timedelta(seconds=1)


class TestKeys:
    def test_R7_every_purpose_has_its_own_256_bit_key(self) -> None:
        keyring = Keyring.generate(T0)
        actives = [keyring.active(purpose) for purpose in Purpose]
        assert all(len(key.secret) == 32 for key in actives)
        assert len({key.secret for key in actives}) == len(Purpose)
        assert len({key.kid for key in actives}) == len(Purpose)

    def test_R7_keys_are_fresh_random_values(self) -> None:
        keys = {Keyring.generate(T0).active(Purpose.DOWNLOAD_LINK).secret for _ in range(50)}
        assert len(keys) == 50

    def test_R7_a_short_key_is_refused(self) -> None:
        short = SigningKey("k1", Purpose.DOWNLOAD_LINK, b"x" * 16, T0)
        with pytest.raises(KeyringInvalid):
            Keyring((short,))

    def test_two_active_keys_for_one_purpose_are_refused(self) -> None:
        one = SigningKey.generate(Purpose.DOWNLOAD_LINK, T0)
        two = SigningKey.generate(Purpose.DOWNLOAD_LINK, T0)
        with pytest.raises(KeyringInvalid):
            Keyring((one, two))

    def test_a_duplicate_kid_is_refused(self) -> None:
        one = SigningKey.generate(Purpose.DOWNLOAD_LINK, T0)
        same_kid = SigningKey(one.kid, Purpose.LINK_CODE, secrets.token_bytes(32), T0)
        with pytest.raises(KeyringInvalid):
            Keyring((one, same_kid))

    def test_the_service_refuses_a_keyring_missing_a_purpose(self) -> None:
        only_links = Keyring((SigningKey.generate(Purpose.DOWNLOAD_LINK, T0),))
        with pytest.raises(KeyringInvalid):
            AccessTokens(StaticKeys(only_links), clock=Rig.build().clock)

    def test_a_secret_never_appears_in_a_repr(self) -> None:
        keyring = Keyring.generate(T0)
        text = repr(keyring)
        for key in keyring.keys:
            assert repr(key.secret) not in text
            assert key.kid in text


class TestJson:
    def test_the_json_form_round_trips(self) -> None:
        keyring = Keyring.generate(T0).rotated(T0 + timedelta(days=1))
        assert Keyring.from_json(keyring.to_json()) == keyring

    @pytest.mark.parametrize(
        "document",
        [
            b"",
            b"[]",
            b'{"format": "roi-access-token-keys", "version": 2, "keys": []}',
            b'{"format": "other", "version": 1, "keys": []}',
            b'{"format": "roi-access-token-keys", "version": 1}',
        ],
    )
    def test_a_document_that_is_not_a_keyring_is_refused(self, document: bytes) -> None:
        with pytest.raises(KeyringInvalid):
            Keyring.from_json(document)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("purpose", "session"),
            ("secret", "c2hvcnQ"),
            ("secret", "!!!"),
            ("kid", "a b"),
            ("created_at", "2026-03-02T09:00:00"),
            ("created_at", "yesterday"),
        ],
    )
    def test_a_bad_key_entry_is_refused(self, field: str, value: str) -> None:
        document = json.loads(Keyring.generate(T0).to_json())
        document["keys"][0][field] = value
        with pytest.raises(KeyringInvalid):
            Keyring.from_json(json.dumps(document))


class TestRotation:
    """R6, on a frozen clock: the new key signs at once; the old one verifies what it signed for
    the longest lifetime plus leeway after its retirement, then never again."""

    def _rotated_rig(self) -> tuple[Rig, str]:
        rig = Rig.build()
        old_token = rig.tokens.issue(
            Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE, lifetime=MAX_LIFETIME
        ).token
        rotated = rig.keyring.rotated(rig.clock.now(), [Purpose.DOWNLOAD_LINK])
        return Rig.build(rotated, rig.clock), old_token

    def test_R6_grace_is_the_longest_lifetime_plus_leeway(self) -> None:
        assert timedelta(days=7, seconds=30) == RETIRED_KEY_GRACE

    def test_R6_the_new_key_signs_and_verifies_immediately(self) -> None:
        rig, old_token = self._rotated_rig()
        new = rig.tokens.issue(Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE)
        assert new.claims.kid == rig.keyring.active(Purpose.DOWNLOAD_LINK).kid
        assert new.claims.kid != rig.verify(old_token).kid
        assert rig.verify(new.token).kid == new.claims.kid

    def test_R6_a_token_of_the_old_key_lives_out_its_lifetime(self) -> None:
        rig, old_token = self._rotated_rig()
        rig.clock.advance(MAX_LIFETIME)
        assert rig.verify(old_token).subject == SUBJECT

    def test_R6_the_old_key_is_refused_after_its_grace(self) -> None:
        """A token the old key signs at the end of its grace (a leaked key) is refused."""
        rig, _ = self._rotated_rig()
        old = next(k for k in rig.keyring.keys if k.retired_at is not None)
        rig.clock.advance(RETIRED_KEY_GRACE)
        fresh = rig.forge(key=old.secret, header=rig.header(kid=old.kid))
        assert rig.verify(fresh).kid == old.kid  # still inside the grace
        rig.clock.advance(SECOND)
        fresh = rig.forge(key=old.secret, header=rig.header(kid=old.kid))
        assert refused(rig, fresh).reason is RejectReason.KEY_RETIRED

    def test_R6_rotating_one_purpose_leaves_the_others_alone(self) -> None:
        keyring = Keyring.generate(T0)
        rotated = keyring.rotated(T0, [Purpose.DOWNLOAD_LINK])
        assert rotated.active(Purpose.LINK_CODE) == keyring.active(Purpose.LINK_CODE)
        assert rotated.active(Purpose.DOWNLOAD_LINK) != keyring.active(Purpose.DOWNLOAD_LINK)

    def test_R6_a_rotation_drops_keys_whose_grace_ended(self) -> None:
        keyring = Keyring.generate(T0).rotated(T0)
        assert len(keyring.keys) == 2 * len(Purpose)
        later = keyring.rotated(T0 + RETIRED_KEY_GRACE + SECOND)
        assert len(later.keys) == 2 * len(Purpose)
        assert not {k.kid for k in keyring.keys if k.retired_at} & {k.kid for k in later.keys}
