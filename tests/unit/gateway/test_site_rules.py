"""The site rules loader: the shipped file loads; a bad file stops start-up naming problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from gateway.site_rules import DEFAULT_SITE_RULES, SiteRulesNotLoaded, load_site_rules


def test_the_shipped_default_loads_and_validates() -> None:
    rules = load_site_rules()
    assert rules.part2_statement == "statement_2"
    assert DEFAULT_SITE_RULES.name == "site_rules_default.toml"


def test_a_site_file_is_loaded_from_its_path(tmp_path: Path) -> None:
    own = tmp_path / "rules.toml"
    own.write_text(DEFAULT_SITE_RULES.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_site_rules(own).part2_statement == "statement_2"


def test_an_invalid_file_names_every_problem_and_no_value(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text('version = 2\npart2_statement = "SECRET-VALUE-123"\n', encoding="utf-8")
    with pytest.raises(SiteRulesNotLoaded) as caught:
        load_site_rules(bad)
    message = str(caught.value)
    assert "version: must be 1" in message
    assert "part2_statement" in message
    assert "SECRET-VALUE-123" not in message


def test_a_file_that_is_not_toml_is_refused_with_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("version = = 1\n", encoding="utf-8")
    with pytest.raises(SiteRulesNotLoaded, match="not valid TOML"):
        load_site_rules(bad)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SiteRulesNotLoaded, match="cannot be read"):
        load_site_rules(tmp_path / "absent.toml")


def test_create_app_refuses_to_start_on_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("version = 1\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", site_rules_file=bad)
    with pytest.raises(SiteRulesNotLoaded):
        create_app(settings)


def test_create_app_exposes_the_parsed_rules_on_app_state(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    assert app.state.site_rules.part2_statement == "statement_2"
