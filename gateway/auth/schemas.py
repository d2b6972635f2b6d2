"""Wire schemas of the access endpoints: explicit allowlists of fields (R26); unknown fields are
refused, and nothing a client sends can set a role it was not given by an administrator."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Code = Annotated[str, msgspec.Meta(min_length=6, max_length=8)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Secret
    code: Code


class SessionOut(msgspec.Struct):
    user_id: uuid.UUID
    role: str
    organisation_id: uuid.UUID | None
    must_change_password: bool
    csrf_token: str | None = None
    expires_at: datetime | None = None


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Secret
    new_password: Secret


class TotpRotateIn(msgspec.Struct, forbid_unknown_fields=True):
    password: Secret
    code: Code


class TotpRotatedOut(msgspec.Struct):
    provisioning_uri: str
    csrf_token: str


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    role: Annotated[str, msgspec.Meta(max_length=16)]
    organisation_id: uuid.UUID | None = None


class TokenOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    role: str
    organisation_id: uuid.UUID | None
    created_by: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(msgspec.Struct):
    """The only response that ever carries the token; it is not stored and cannot be shown
    again."""

    id: uuid.UUID
    name: str
    role: str
    organisation_id: uuid.UUID | None
    created_at: datetime
    token: str
