"""The pure hash chain: any tampering is named at its exact seq (SECURITY.md R39, attack 8)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.ledger.chain import (
    GENESIS_HASH,
    Anchor,
    BreakReason,
    ChainRecord,
    JsonValue,
    build_chain,
    canonical_json,
    compute_hash,
    verify_chain,
)

scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=4,
)
contents = st.dictionaries(st.text(min_size=1, max_size=6), json_values, min_size=1, max_size=4)

# Under load one example can take longer than hypothesis's default 200 ms deadline.
examples = settings(max_examples=60, deadline=None)


def chains(min_size: int = 1) -> st.SearchStrategy[list[ChainRecord]]:
    return st.lists(contents, min_size=min_size, max_size=10).map(build_chain)


def head_of(records: list[ChainRecord]) -> Anchor:
    last = records[-1]
    return Anchor(last.seq, last.entry_hash)


def changed(value: JsonValue, data: st.DataObject) -> JsonValue:
    """A value whose canonical JSON differs from ``value``'s."""
    other = data.draw(json_values)
    same = canonical_json({"v": other}) == canonical_json({"v": value})
    return [other] if same else other


def mutate_content(content: Mapping[str, JsonValue], data: st.DataObject) -> dict[str, JsonValue]:
    mutated = dict(content)
    action = data.draw(st.sampled_from(["change", "remove", "add"]))
    key = data.draw(st.sampled_from(sorted(mutated)))
    if action == "change":
        mutated[key] = changed(mutated[key], data)
    elif action == "remove":
        del mutated[key]
    else:
        mutated[key + "_extra"] = data.draw(json_values)
    return mutated


def mutate_one_field(record: ChainRecord, data: st.DataObject) -> ChainRecord:
    field = data.draw(st.sampled_from(["seq", "prev_hash", "entry_hash", "content"]))
    if field == "seq":
        new_seq = data.draw(st.integers(-5, 100).filter(lambda s: s != record.seq))
        return dataclasses.replace(record, seq=new_seq)
    if field == "content":
        return dataclasses.replace(record, content=mutate_content(record.content, data))
    hashes = st.text("0123456789abcdef", min_size=64, max_size=64)
    if field == "prev_hash":
        return dataclasses.replace(
            record, prev_hash=data.draw(hashes.filter(lambda h: h != record.prev_hash))
        )
    return dataclasses.replace(
        record, entry_hash=data.draw(hashes.filter(lambda h: h != record.entry_hash))
    )


@examples
@given(chains())
def test_an_untouched_chain_verifies_against_its_head(records: list[ChainRecord]) -> None:
    result = verify_chain(records, [head_of(records)])
    assert result.ok
    assert result.entries == len(records)
    assert result.last_hash == records[-1].entry_hash


@examples
@given(chains(), st.data())
def test_R39_any_single_field_mutation_is_detected_at_that_entrys_seq(
    records: list[ChainRecord], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(records) - 1))
    record = records[index]
    tampered = mutate_one_field(record, data)
    forged = [*records[:index], tampered, *records[index + 1 :]]
    result = verify_chain(forged, [head_of(records)])
    assert result.broken is not None
    assert result.broken.seq == record.seq


@examples
@given(chains(2), st.data())
def test_R39_a_deleted_entry_is_named_by_its_missing_seq(
    records: list[ChainRecord], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(records) - 2))
    result = verify_chain([*records[:index], *records[index + 1 :]], [head_of(records)])
    assert result.broken is not None
    assert result.broken.seq == index + 1
    assert result.broken.reason is BreakReason.ENTRY_MISSING


@examples
@given(chains(2), st.data())
def test_R39_two_entries_that_swapped_seqs_break_at_the_lower_seq(
    records: list[ChainRecord], data: st.DataObject
) -> None:
    i, j = sorted(
        data.draw(st.lists(st.integers(0, len(records) - 1), min_size=2, max_size=2, unique=True))
    )
    swapped = list(records)
    swapped[i] = dataclasses.replace(records[j], seq=records[i].seq)
    swapped[j] = dataclasses.replace(records[i], seq=records[j].seq)
    result = verify_chain(swapped, [head_of(records)])
    assert result.broken is not None
    assert result.broken.seq == i + 1


@examples
@given(chains(), st.data())
def test_R39_a_truncated_tail_is_caught_only_by_the_head_anchor(
    records: list[ChainRecord], data: st.DataObject
) -> None:
    keep = data.draw(st.integers(0, len(records) - 1))
    truncated = records[:keep]
    assert verify_chain(truncated).ok, "without an anchor a truncated chain is indistinguishable"
    result = verify_chain(truncated, [head_of(records)])
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason) == (keep + 1, BreakReason.TAIL_MISSING)


@examples
@given(chains(), contents, st.data())
def test_R39_a_rehashed_forged_tail_is_caught_at_the_head_it_no_longer_matches(
    records: list[ChainRecord], forged_content: dict[str, JsonValue], data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(records) - 1))
    forged_contents = [r.content for r in records]
    forged_contents[start] = {**forged_content, "forged": True}
    forgery = build_chain(forged_contents)
    assert verify_chain(forgery).ok, "a consistent re-hash passes without an anchor"
    result = verify_chain(forgery, [head_of(records)])
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason) == (len(records), BreakReason.ANCHOR_MISMATCH)


@examples
@given(chains(), contents, st.data())
def test_a_forger_who_also_rewrote_the_head_is_caught_by_an_earlier_checkpoint(
    records: list[ChainRecord], forged_content: dict[str, JsonValue], data: st.DataObject
) -> None:
    """Room for R40: a checkpoint recorded off-host at or after the forged entry names itself."""
    start = data.draw(st.integers(0, len(records) - 1))
    checkpoint_at = data.draw(st.integers(start, len(records) - 1))
    forged_contents = [r.content for r in records]
    forged_contents[start] = {**forged_content, "forged": True}
    forgery = build_chain(forged_contents)
    checkpoint = Anchor(checkpoint_at + 1, records[checkpoint_at].entry_hash, "checkpoint")
    result = verify_chain(forgery, [head_of(forgery), checkpoint])
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason) == (
        checkpoint_at + 1,
        BreakReason.ANCHOR_MISMATCH,
    )


@examples
@given(chains(), st.integers(0, 11))
def test_entries_past_the_recorded_head_are_reported(records: list[ChainRecord], at: int) -> None:
    at = min(at, len(records) - 1)
    stale_head = Anchor(at, records[at - 1].entry_hash if at else GENESIS_HASH)
    result = verify_chain(records, [stale_head])
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason) == (at + 1, BreakReason.BEYOND_HEAD)


def test_an_empty_ledger_verifies_against_the_genesis_head() -> None:
    assert verify_chain([], [Anchor(0, GENESIS_HASH)]).ok


def test_an_emptied_ledger_is_caught_by_its_head() -> None:
    records = build_chain([{"a": 1}, {"a": 2}])
    result = verify_chain([], [head_of(records)])
    assert result.broken is not None
    assert result.broken.seq == 1


def test_the_hash_is_the_same_whatever_the_key_order() -> None:
    assert compute_hash(1, GENESIS_HASH, {"a": 1, "b": "é"}) == compute_hash(
        1, GENESIS_HASH, {"b": "é", "a": 1}
    )


def test_the_hash_depends_on_seq_and_prev_hash() -> None:
    content: dict[str, JsonValue] = {"a": 1}
    base = compute_hash(1, GENESIS_HASH, content)
    assert compute_hash(2, GENESIS_HASH, content) != base
    assert compute_hash(1, "1" * 64, content) != base


def test_a_known_entry_hashes_to_a_known_value() -> None:
    """Pins the canonical form: a change to it would orphan every stored chain. The expected
    value is ``sha256sum`` of '{"content":{"a":"é"},"prev_hash":"000…0","seq":1,"v":1}'."""
    assert (
        canonical_json({"b": [1, None, True], "a": "é"}) == '{"a":"é","b":[1,null,true]}'.encode()
    )
    assert compute_hash(1, GENESIS_HASH, {"a": "é"}) == (
        "af913e50285258ae78b84390205a84e812a683a4d4cf0bfa14858215e5a8ed92"
    )
