"""The keyring on disk: created on first start (0600 in a 0700 directory), kept across restarts,
rotated in place and picked up by a running process, refused when others may read it; or taken
from ``ROI_SECURITY__TOKEN_KEYRING`` (R6, R7)."""

from __future__ import annotations

import base64
import json
import multiprocessing
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from pydantic import SecretStr

from gateway.access_tokens import (
    AccessTokens,
    Keyring,
    KeyringInvalid,
    Purpose,
    RejectReason,
    TokenRejected,
    build_access_tokens,
    key_file_path,
    keyfile,
)
from gateway.app import create_app
from gateway.cli import main
from gateway.cli.keys import rotate
from gateway.settings import SecuritySettings, Settings
from kernel.clock import FixedClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AUDIENCE = "recipient-1"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _issue(tokens: AccessTokens, purpose: Purpose = Purpose.DOWNLOAD_LINK) -> str:
    return tokens.issue(purpose, subject="link-1", audience=AUDIENCE).token


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_R7_first_start_creates_a_private_key_file(settings: Settings, clock: FixedClock) -> None:
    path = key_file_path(settings)
    assert not path.exists()
    build_access_tokens(settings, clock=clock)
    assert path == settings.data_dir / "keys" / "access_tokens.json"
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    document = json.loads(path.read_bytes())
    assert sorted(key["purpose"] for key in document["keys"]) == sorted(p.value for p in Purpose)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_R7_the_app_creates_the_key_file_at_start_up(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver.local") as client:
        assert client.get("/health").status_code == 200
    assert isinstance(app.state.services.access_tokens, AccessTokens)
    assert _mode(key_file_path(settings)) == 0o600


def test_a_restart_keeps_tokens_valid(settings: Settings, clock: FixedClock) -> None:
    token = _issue(build_access_tokens(settings, clock=clock))
    restarted = build_access_tokens(settings, clock=clock)
    assert restarted.verify(Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE).subject == "link-1"


def test_R6_a_running_process_signs_with_the_new_key_after_a_rotation(
    settings: Settings, clock: FixedClock
) -> None:
    running = build_access_tokens(settings, clock=clock)
    before = running.issue(Purpose.DOWNLOAD_LINK, subject="link-1", audience=AUDIENCE)
    clock.advance(timedelta(hours=1))
    rotated = keyfile.rotate(key_file_path(settings), now=clock.now())
    after = running.issue(Purpose.DOWNLOAD_LINK, subject="link-2", audience=AUDIENCE)
    assert after.claims.kid == rotated.active(Purpose.DOWNLOAD_LINK).kid != before.claims.kid
    for issued in (before, after):
        claims = running.verify(Purpose.DOWNLOAD_LINK, issued.token, audience=AUDIENCE)
        assert claims.kid == issued.claims.kid


def test_R6_a_retired_key_is_refused_after_its_grace_across_a_restart(
    settings: Settings, clock: FixedClock
) -> None:
    token = _issue(build_access_tokens(settings, clock=clock))
    keyfile.rotate(key_file_path(settings), now=clock.now())
    clock.advance(timedelta(days=7, seconds=31))
    restarted = build_access_tokens(settings, clock=clock)
    with pytest.raises(TokenRejected) as caught:
        restarted.verify(Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE)
    assert caught.value.reason in {RejectReason.KEY_RETIRED, RejectReason.EXPIRED}
    old = next(k for k in keyfile.read(key_file_path(settings))[0].keys if k.retired_at)
    assert not old.verifies_at(clock.now())  # the key itself is refused, whatever it signs


def test_a_key_file_others_may_read_is_refused(settings: Settings, clock: FixedClock) -> None:
    build_access_tokens(settings, clock=clock)
    key_file_path(settings).chmod(0o644)
    with pytest.raises(KeyringInvalid):
        build_access_tokens(settings, clock=clock)


def test_a_corrupt_file_after_start_keeps_the_last_good_keyring(
    settings: Settings, clock: FixedClock
) -> None:
    running = build_access_tokens(settings, clock=clock)
    token = _issue(running)
    path = key_file_path(settings)
    path.write_text("{not json")
    assert running.verify(Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE)
    with pytest.raises(KeyringInvalid):
        build_access_tokens(settings, clock=clock)  # but a new process refuses to start


def test_a_purpose_without_a_key_gets_one_at_start(settings: Settings, clock: FixedClock) -> None:
    path = key_file_path(settings)
    build_access_tokens(settings, clock=clock)
    document = json.loads(path.read_bytes())
    kept = [k for k in document["keys"] if k["purpose"] == "download_link"]
    path.write_text(json.dumps({**document, "keys": kept}))
    tokens = build_access_tokens(settings, clock=clock)
    assert _issue(tokens, Purpose.LINK_CODE)
    keyring = keyfile.read(path)[0]
    assert keyring.active(Purpose.DOWNLOAD_LINK).kid == kept[0]["kid"]


def _start(path: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    keyring = keyfile.ensure(Path(path), now=datetime.now(UTC))
    results.put(sorted(key.kid for key in keyring.keys))


def test_processes_starting_at_once_end_with_one_keyring(settings: Settings) -> None:
    """Each process must end up holding the keys on disk: without the lock, two creators each
    keep a keyring of their own and one of them signs links no restart can verify."""
    path = key_file_path(settings)
    context = multiprocessing.get_context("fork")  # the children need nothing re-imported
    barrier, results = context.Barrier(6), context.Queue()
    processes = [
        context.Process(target=_start, args=(str(path), barrier, results)) for _ in range(6)
    ]
    for process in processes:
        process.start()
    held = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    on_disk = sorted(key.kid for key in keyfile.read(path)[0].keys)
    assert len(on_disk) == len(Purpose)
    assert all(kids == on_disk for kids in held)


def test_the_keyring_setting_replaces_the_file(tmp_path: Path, clock: FixedClock) -> None:
    keyring = Keyring.generate(T0)
    settings = Settings(
        data_dir=tmp_path / "data",
        security=SecuritySettings(token_keyring=SecretStr(keyring.to_json().decode())),
    )
    tokens = build_access_tokens(settings, clock=clock)
    assert tokens.issue(Purpose.LINK_CODE, subject="c", audience="a").claims.kid == (
        keyring.active(Purpose.LINK_CODE).kid
    )
    assert not key_file_path(settings).exists()
    assert "secret" not in repr(settings.security.token_keyring)


class TestCli:
    def _roi(self, settings: Settings, *args: str, **env: str) -> tuple[int, str, str]:
        environment = {"ROI_DATA_DIR": str(settings.data_dir), "ROI_LOG_FORMAT": "json", **env}
        result = CliRunner().invoke(main, ["keys", *args], env=environment)
        return result.exit_code, result.stdout, result.stderr

    def test_roi_keys_rotate_retires_and_replaces_the_active_keys(self, settings: Settings) -> None:
        code, before, _ = self._roi(settings, "list")
        assert code == 0
        assert before.count("\tactive\t") == len(Purpose)
        code, out, _ = self._roi(settings, "rotate", "--purpose", "download_link")
        assert code == 0
        assert "download_link: new active key" in out
        _, after, _ = self._roi(settings, "list")
        assert after.count("\tactive\t") == len(Purpose)
        assert after.count("retired, verifies until") == 1
        secrets = [k["secret"] for k in json.loads(key_file_path(settings).read_bytes())["keys"]]
        assert not [s for s in secrets if s in before + out + after]

    def test_roi_keys_rotate_print_writes_a_rotated_keyring_for_the_secret_store(
        self, settings: Settings
    ) -> None:
        keyring = Keyring.generate(datetime.now(UTC))
        env = {"ROI_SECURITY__TOKEN_KEYRING": keyring.to_json().decode()}
        code, _, err = self._roi(settings, "rotate", **env)
        assert code == 2
        assert "--print" in err
        code, out, _ = self._roi(settings, "rotate", "--print", **env)
        assert code == 0
        rotated = Keyring.from_json(out)
        assert len(rotated.keys) == 2 * len(Purpose)
        assert {k.kid for k in keyring.keys} < {k.kid for k in rotated.keys}
        assert not key_file_path(settings).exists()


def test_R12_no_token_or_key_reaches_the_logs(
    settings: Settings, clock: FixedClock, captured_logs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creating, rotating, reloading, issuing, refusing, and a verifier crash: the log lines
    name events and counts, never a token, a token's parts or a key."""
    tokens = build_access_tokens(settings, clock=clock)
    token = _issue(tokens)
    keyfile.rotate(key_file_path(settings), now=clock.now())
    assert _issue(tokens) != token  # reloaded
    for presented in (token[:-1] + "A", token + "x" * 3000, token):
        with pytest.raises(TokenRejected):
            tokens.verify(Purpose.LINK_CODE, presented, audience=AUDIENCE)
    monkeypatch.setattr(AccessTokens, "_verify", lambda *_a: 1 / 0)
    with pytest.raises(TokenRejected):
        tokens.verify(Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE)
    text = captured_logs.text
    assert "access_token.keys_rotated" in text
    assert "access_token.verifier_failed" in text
    secrets = [k.secret for k in keyfile.read(key_file_path(settings))[0].keys]
    canaries = [*token.split("."), *(b64(s) for s in secrets), *(s.hex() for s in secrets)]
    assert not [c for c in canaries if c in text]


def test_roi_keys_rotate_offers_exactly_the_purposes() -> None:
    """The CLI spells the purposes out (so `roi --help` imports nothing heavy): keep them equal."""
    option = next(p for p in rotate.params if p.name == "purposes")
    assert isinstance(option.type, click.Choice)
    assert sorted(option.type.choices) == sorted(p.value for p in Purpose)
