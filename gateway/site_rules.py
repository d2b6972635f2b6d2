"""Loads the site and state rules at start-up: the TOML at ``settings.site_rules_file``, or the
shipped ``site_rules_default.toml``, validated by :func:`contracts.validate_site_rules`.

A file that cannot be read, is not TOML or does not validate stops start-up with
:class:`SiteRulesNotLoaded`, whose message names the file and every problem (paths and what is
wrong, never a value from the file).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from contracts import SiteRules, SiteRulesInvalid, validate_site_rules
from kernel.errors import DomainError

DEFAULT_SITE_RULES = Path(__file__).resolve().parent / "site_rules_default.toml"
_POSITION = re.compile(r"\(at line \d+, column \d+\)|\(at end of document\)")


class SiteRulesNotLoaded(DomainError):
    code = "SITE_RULES_NOT_LOADED"

    def __init__(self, path: Path, problems: tuple[str, ...]) -> None:
        listed = "; ".join(problems)
        super().__init__(f"site rules file {path} not loaded: {listed}", problems=problems)
        self.path = path
        self.problems = problems


def _parse(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteRulesNotLoaded(path, ("file: cannot be read as UTF-8 text",)) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = _POSITION.search(str(exc))
        problem = "file: not valid TOML" + (f" {where.group(0)}" if where else "")
        raise SiteRulesNotLoaded(path, (problem,)) from exc


def load_site_rules(path: Path | None = None) -> SiteRules:
    """The validated rules of ``path`` (default: the shipped file)."""
    source = path or DEFAULT_SITE_RULES
    data = _parse(source)
    try:
        return validate_site_rules(data)
    except SiteRulesInvalid as exc:
        problems = exc.data.get("problems", ())
        listed = tuple(str(p) for p in problems) if isinstance(problems, tuple) else ()
        raise SiteRulesNotLoaded(source, listed or ("file: invalid",)) from exc
