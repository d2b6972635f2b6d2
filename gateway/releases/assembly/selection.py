"""Which source records (and pages) go into a packet, from the release's stored decision (pure).

The decision is stored on the release by intake:

- ``release.exclusions``: ``[{"source_record_id": id, "reasons": [...], "pages": [n, ...]?}]``.
  Without ``pages`` the whole record is left out; with ``pages`` only those 0-based pages.
- ``release.scope`` (as intake stores it, ``gateway/releases/checking.py``): optional ``selected``
  (record ids that the ``contracts`` decision included; when present, only those), ``start`` and
  ``end`` (ISO service dates, inclusive) and ``document_types``.

Records are taken in service-date order, then by id, so a re-assembly has the same page order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordRef:
    id: str
    document_type: str
    service_date: date
    page_count: int


@dataclass(frozen=True, slots=True)
class Chosen:
    id: str
    page_count: int
    drop_pages: tuple[int, ...] = ()

    @property
    def pages_kept(self) -> int:
        return self.page_count - len(self.drop_pages)


@dataclass(frozen=True, slots=True)
class Selection:
    chosen: tuple[Chosen, ...]
    excluded: tuple[dict[str, Any], ...] = field(default=())

    @property
    def pages_total(self) -> int:
        return sum(c.page_count for c in self.chosen)


def select_records(
    records: Sequence[RecordRef],
    *,
    scope: Mapping[str, Any],
    exclusions: Sequence[Mapping[str, Any]],
) -> Selection:
    whole, pages = _exclusions(exclusions)
    included = scope.get("selected")
    chosen: list[Chosen] = []
    excluded: list[dict[str, Any]] = []
    for record in sorted(records, key=lambda r: (r.service_date, r.id)):
        reason = _out_of_scope(record, scope, included)
        if record.id in whole:
            excluded.append({"source_record_id": record.id, "reasons": whole[record.id]})
        elif reason is not None:
            excluded.append({"source_record_id": record.id, "reasons": [reason]})
        else:
            drop = tuple(sorted(p for p in pages.get(record.id, ()) if 0 <= p < record.page_count))
            if len(drop) == record.page_count:
                excluded.append({"source_record_id": record.id, "reasons": ["ALL_PAGES_EXCLUDED"]})
                continue
            chosen.append(Chosen(record.id, record.page_count, drop))
    return Selection(tuple(chosen), tuple(excluded))


def _exclusions(
    exclusions: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, list[str]], dict[str, set[int]]]:
    whole: dict[str, list[str]] = {}
    pages: dict[str, set[int]] = {}
    for item in exclusions:
        record_id = str(item.get("source_record_id") or item.get("document_id") or "")
        if not record_id:
            continue
        if item.get("pages"):
            pages.setdefault(record_id, set()).update(int(p) for p in item["pages"])
        else:
            whole[record_id] = [_code(r) for r in item.get("reasons", ())] or ["EXCLUDED"]
    return whole, pages


def _code(reason: object) -> str:
    if isinstance(reason, Mapping):
        return str(reason.get("code", "EXCLUDED"))
    return str(reason)


def _out_of_scope(record: RecordRef, scope: Mapping[str, Any], included: object) -> str | None:
    if isinstance(included, list) and record.id not in {str(i) for i in included}:
        return "NOT_SELECTED"
    types = scope.get("document_types")
    if types and record.document_type not in types:
        return "SCOPE_DOCUMENT_TYPE"
    start, end = scope.get("start"), scope.get("end")
    if start and record.service_date < date.fromisoformat(str(start)):
        return "SCOPE_DATES"
    if end and record.service_date > date.fromisoformat(str(end)):
        return "SCOPE_DATES"
    return None
