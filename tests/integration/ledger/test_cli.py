"""``roi ledger verify``: the count and exit 0, or the first broken entry and exit 1 (R39)."""

from __future__ import annotations

import anyio
import pytest
from click.testing import CliRunner, Result

from gateway.cli import main
from gateway.settings import Settings
from tests.integration.ledger.support import fill
from tests.integration.ledger.tamper import tamper

pytestmark = [pytest.mark.db, pytest.mark.anyio]


def cli_env(settings: Settings) -> dict[str, str | None]:
    return {
        "ROI_DATA_DIR": str(settings.data_dir),
        "ROI_DATABASE__URL": settings.database.url,
    }


async def roi(settings: Settings, *args: str) -> Result:
    """Run the CLI in a thread: it starts its own event loop."""
    runner = CliRunner()
    return await anyio.to_thread.run_sync(
        lambda: runner.invoke(main, list(args), env=cli_env(settings))
    )


async def test_R39_verify_reports_the_count_of_a_sound_ledger(fresh_settings: Settings) -> None:
    hashes = await fill(fresh_settings, 4)
    result = await roi(fresh_settings, "ledger", "verify")
    assert result.exit_code == 0, result.output
    assert "ledger verified: 4 entries" in result.stdout
    assert f"head: seq=4 sha256={hashes[-1]}" in result.stdout


async def test_R39_verify_names_the_first_broken_entry_and_fails(
    fresh_settings: Settings,
) -> None:
    await fill(fresh_settings, 6)
    tamper(fresh_settings, "UPDATE ledger_entries SET actor_id = 'user-other' WHERE seq = 3")
    result = await roi(fresh_settings, "ledger", "verify")
    assert result.exit_code == 1
    assert "first broken entry: seq=3 (entry hash does not match its content)" in result.stderr
    assert "verified" not in result.stdout


async def test_verify_checks_checkpoints_given_on_the_command_line(
    fresh_settings: Settings,
) -> None:
    hashes = await fill(fresh_settings, 3)
    good = await roi(fresh_settings, "ledger", "verify", "--checkpoint", f"2:{hashes[1]}")
    assert good.exit_code == 0, good.output
    bad = await roi(fresh_settings, "ledger", "verify", "--checkpoint", f"2:{'a' * 64}")
    assert bad.exit_code == 1
    assert "seq=2 (entry hash differs from the recorded head or checkpoint)" in bad.stderr


async def test_a_malformed_checkpoint_is_a_usage_error(fresh_settings: Settings) -> None:
    result = await roi(fresh_settings, "ledger", "verify", "--checkpoint", "2:nothex")
    assert result.exit_code == 2
    assert "SEQ:SHA256HEX" in result.output
