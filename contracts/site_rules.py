"""Site and state rules as data with effective dates (ST-01, ST-02's neighbours, ST-04, P2-02).

The gateway loads a TOML file and hands the parsed dict to :func:`validate_site_rules`; this
module never reads files. Sensitive categories say which labelled records need a state-approved
special release and which notice goes into the packet; attestation rules (ST-04) say which
request types need a signed attestation for which labelled records. There is no federal
reproductive-health attestation (vacated, Purl v. HHS, 18 June 2025): only what a site configures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal, TypeVar

from contracts.errors import SiteRulesInvalid
from contracts.legal_process import RequestType
from contracts.reasons import REASONS
from contracts.terms import RecipientKind

Part2Statement = Literal["statement_1", "statement_2"]
PART2_STATEMENTS: tuple[Part2Statement, ...] = ("statement_1", "statement_2")
_E = TypeVar("_E", RecipientKind, RequestType)
_RULE_ID = re.compile(r"^[A-Z]+[0-9]?-[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class NoticeText:
    id: str
    title: str
    text: str
    rule_id: str


@dataclass(frozen=True, slots=True)
class Effective:
    """In force from ``start`` through ``end`` inclusive (open-ended when ``end`` is None)."""

    start: date
    end: date | None = None

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True, slots=True)
class SensitiveCategory:
    """Records labelled ``label`` need an authorization that is the special release
    ``release``; without it they are excluded with ``exclusion_code``. Releases to
    ``exempt_recipients`` need neither the release nor the ``notice``."""

    label: str
    jurisdiction: str
    release: str
    exclusion_code: str
    notice: str | None
    exempt_recipients: frozenset[RecipientKind]
    effective: Effective


@dataclass(frozen=True, slots=True)
class AttestationRule:
    """ST-04: requests of ``request_types`` touching records labelled ``label`` need the
    attestation ``id``."""

    id: str
    label: str
    request_types: frozenset[RequestType]
    jurisdiction: str
    effective: Effective


@dataclass(frozen=True, slots=True)
class SiteRules:
    part2_statement: Part2Statement
    notices: Mapping[str, NoticeText]
    categories: tuple[SensitiveCategory, ...] = ()
    attestations: tuple[AttestationRule, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "notices", MappingProxyType(dict(self.notices)))
        if f"part2_{self.part2_statement}" not in self.notices:
            raise SiteRulesInvalid("site rules lack the chosen 2.32 notice")

    @property
    def part2_notice(self) -> NoticeText:
        """P2-02: the configured 2.32 statement (1 or 2)."""
        return self.notices[f"part2_{self.part2_statement}"]

    def categories_on(self, on: date) -> tuple[SensitiveCategory, ...]:
        return tuple(c for c in self.categories if c.effective.covers(on))

    def attestations_on(self, on: date) -> tuple[AttestationRule, ...]:
        return tuple(a for a in self.attestations if a.effective.covers(on))


class _Reader:
    """Reads typed values out of a parsed dict, collecting problems instead of failing."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, what: str) -> None:
        self.problems.append(f"{path}: {what}")

    def text(self, table: Mapping[str, object], key: str, path: str) -> str:
        value = table.get(key)
        if isinstance(value, str) and value.strip():
            return value
        self.problem(f"{path}.{key}", "must be a non-empty string")
        return ""

    def day(
        self, table: Mapping[str, object], key: str, path: str, *, required: bool
    ) -> date | None:
        value = table.get(key)
        if value is None and not required:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        self.problem(f"{path}.{key}", "must be a date (YYYY-MM-DD)")
        return None

    def strings(self, table: Mapping[str, object], key: str, path: str) -> list[str]:
        value = table.get(key, [])
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [str(v) for v in value]
        self.problem(f"{path}.{key}", "must be a list of strings")
        return []

    def tables(self, data: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
        value = data.get(key, [])
        if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            return list(value)
        self.problem(key, "must be an array of tables")
        return []

    def effective(self, table: Mapping[str, object], path: str) -> Effective:
        start = self.day(table, "effective_from", path, required=True)
        end = self.day(table, "effective_to", path, required=False)
        if start is not None and end is not None and end < start:
            self.problem(f"{path}.effective_to", "is before effective_from")
            end = None
        return Effective(start or date.min, end)

    def choices(
        self, kind: type[_E], table: Mapping[str, object], key: str, path: str
    ) -> frozenset[_E]:
        values = self.strings(table, key, path)
        allowed = {member.value for member in kind}
        for value in values:
            if value not in allowed:
                self.problem(f"{path}.{key}", f"unknown value {value!r}")
        return frozenset(kind(v) for v in values if v in allowed)


def _notices(reader: _Reader, data: Mapping[str, object]) -> dict[str, NoticeText]:
    raw = data.get("notices", {})
    if not isinstance(raw, Mapping):
        reader.problem("notices", "must be a table of tables")
        return {}
    notices: dict[str, NoticeText] = {}
    for notice_id, table in raw.items():
        path = f"notices.{notice_id}"
        if not isinstance(table, Mapping):
            reader.problem(path, "must be a table")
            continue
        rule_id = reader.text(table, "rule_id", path)
        if rule_id and not _RULE_ID.match(rule_id):
            reader.problem(f"{path}.rule_id", "must look like ST-01")
        title, text = reader.text(table, "title", path), reader.text(table, "text", path)
        notices[str(notice_id)] = NoticeText(str(notice_id), title, text, rule_id)
    return notices


def _category(
    reader: _Reader, table: Mapping[str, object], path: str, notices: Mapping[str, NoticeText]
) -> SensitiveCategory:
    code = reader.text(table, "exclusion_code", path)
    if code and not (code in REASONS and REASONS[code].rule_id == "ST-01"):
        reader.problem(f"{path}.exclusion_code", "must be an ST-01 exclusion reason code")
    notice = table.get("notice")
    if notice is not None and notice not in notices:
        reader.problem(f"{path}.notice", "names no notice in [notices]")
    return SensitiveCategory(
        label=reader.text(table, "label", path),
        jurisdiction=reader.text(table, "jurisdiction", path),
        release=reader.text(table, "release", path),
        exclusion_code=code,
        notice=str(notice) if notice is not None else None,
        exempt_recipients=reader.choices(RecipientKind, table, "exempt_recipients", path),
        effective=reader.effective(table, path),
    )


def _attestation(reader: _Reader, table: Mapping[str, object], path: str) -> AttestationRule:
    request_types = reader.choices(RequestType, table, "request_types", path)
    if not request_types:
        reader.problem(f"{path}.request_types", "must name at least one request type")
    return AttestationRule(
        id=reader.text(table, "id", path),
        label=reader.text(table, "label", path),
        request_types=request_types,
        jurisdiction=reader.text(table, "jurisdiction", path),
        effective=reader.effective(table, path),
    )


def _part2_statement(
    reader: _Reader, data: Mapping[str, object], notices: Mapping[str, NoticeText]
) -> Part2Statement:
    choice = data.get("part2_statement")
    for statement in PART2_STATEMENTS:
        if choice == statement:
            if f"part2_{statement}" not in notices:
                reader.problem("notices", f"lacks part2_{statement}, the chosen 2.32 statement")
            return statement
    reader.problem("part2_statement", "must be statement_1 or statement_2")
    return "statement_2"


def validate_site_rules(data: Mapping[str, object]) -> SiteRules:
    """Validate parsed site rules (a TOML document as a dict) into :class:`SiteRules`.

    Raises :class:`SiteRulesInvalid` with ``data['problems']`` (paths, no values) listing
    every problem found, so a site fixes its file in one pass.
    """
    reader = _Reader()
    if data.get("version") != 1:
        reader.problem("version", "must be 1")
    notices = _notices(reader, data)
    statement = _part2_statement(reader, data, notices)
    categories = tuple(
        _category(reader, table, f"sensitive_categories[{i}]", notices)
        for i, table in enumerate(reader.tables(data, "sensitive_categories"))
    )
    attestations = tuple(
        _attestation(reader, table, f"attestations[{i}]")
        for i, table in enumerate(reader.tables(data, "attestations"))
    )
    ids = [a.id for a in attestations]
    if len(set(ids)) != len(ids):
        reader.problem("attestations", "ids must be unique")
    if reader.problems:
        raise SiteRulesInvalid("site rules are invalid", problems=tuple(reader.problems))
    return SiteRules(statement, notices, categories, attestations)
