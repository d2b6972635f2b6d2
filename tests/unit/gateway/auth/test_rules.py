"""The roles table of DESIGN.md, written out here by hand so a change to ``rules.py`` that
drifts from the design fails; and the anchored public allowlist."""

from __future__ import annotations

import uuid

import pytest

from gateway.auth.errors import NotFound
from gateway.auth.principal import Principal, Via, ensure_same_organisation
from gateway.auth.rules import ALL_ROLES, CAPABILITIES, Role, holds, is_public_path

A, S, AT, P = "admin", "specialist", "attorney", "payer"

# capability -> roles that hold it, as in DESIGN.md "Roles and what they may do".
DESIGN_TABLE: dict[str, set[str]] = {
    "users.manage": {A},
    "settings.view": {A},
    "vendors.read": {A, S},
    "vendors.write": {A},
    "records.manage": {A, S},
    "requests.submit": {A, S, AT, P},
    "requests.read": {A, S, AT, P},
    "releases.review": {A, S},
    "links.revoke": {A, S},
    "packets.download": {AT, P},
    "ledger.read": {A, S},
    "authenticated": {A, S, AT, P},
    "auth.self": {A, S, AT, P},
    "public": {A, S, AT, P},
    "link.holder": {A, S, AT, P},
}
ORGANISATION_SCOPED = {"requests.submit", "requests.read", "packets.download"}
ANONYMOUS = {"public", "link.holder"}


def test_the_capabilities_are_exactly_those_of_the_design_table() -> None:
    assert set(CAPABILITIES) == set(DESIGN_TABLE)


@pytest.mark.parametrize("rule", sorted(DESIGN_TABLE))
def test_each_capability_is_held_by_exactly_the_roles_of_the_design_table(rule: str) -> None:
    assert {role.value for role in ALL_ROLES if holds(role, rule)} == DESIGN_TABLE[rule]


def test_requester_capabilities_are_organisation_scoped_and_staff_ones_are_not() -> None:
    scoped = {name for name, cap in CAPABILITIES.items() if cap.organisation_scoped}
    assert scoped == ORGANISATION_SCOPED


def test_only_public_and_link_holder_rules_admit_anonymous_callers() -> None:
    assert {name for name, cap in CAPABILITIES.items() if cap.anonymous} == ANONYMOUS


def test_only_self_service_rules_are_open_before_the_first_password_change() -> None:
    open_rules = {n for n, c in CAPABILITIES.items() if c.before_password_change}
    assert open_rules == {"auth.self"} | ANONYMOUS


def test_an_unknown_rule_is_held_by_nobody() -> None:
    assert not any(holds(role, "vendors.delete") for role in ALL_ROLES)


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/ready",
        "/schema",
        "/schema/swagger",
        "/static/x.js",
        "/api/v1/auth/login",
        "/sign-in",
    ],
)
def test_allowlisted_paths_are_public(path: str) -> None:
    assert is_public_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/health-export",
        "/healthz",
        "/health/",
        "/health/../api/v1/tokens",
        "/schemas",
        "/schema/../api/v1/tokens",
        "/static//etc/passwd",
        "/api/v1/auth/login/../../tokens",
        "/api/v1/auth/logins",
        "/sign-in/../api/v1/tokens",
        "/sign-ins",
        "/sign-in/x",
        "/x/health",
        "",
    ],
)
def test_R24_the_allowlist_is_anchored_look_alikes_are_not_public(path: str) -> None:
    assert not is_public_path(path)


def _principal(role: Role, organisation_id: uuid.UUID | None) -> Principal:
    return Principal(Via.TOKEN, uuid.uuid4(), role, organisation_id, token_id=uuid.uuid4())


def test_R25_a_requester_sees_its_own_organisation_and_nothing_else() -> None:
    own, other = uuid.uuid4(), uuid.uuid4()
    attorney = _principal(Role.ATTORNEY, own)
    ensure_same_organisation(attorney, own)
    with pytest.raises(NotFound):
        ensure_same_organisation(attorney, other)
    with pytest.raises(NotFound):
        ensure_same_organisation(attorney, None)


def test_R25_staff_see_every_organisation() -> None:
    for role in (Role.ADMIN, Role.SPECIALIST):
        ensure_same_organisation(_principal(role, None), uuid.uuid4())


def test_the_audit_actor_of_a_token_names_the_token() -> None:
    principal = _principal(Role.PAYER, uuid.uuid4())
    assert principal.actor == f"token:{principal.token_id}"
