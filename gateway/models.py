"""Every ORM model module, imported once so ``Base.metadata`` is complete (for alembic and the
models-versus-migrations check). Add a line here for each new models module."""

from __future__ import annotations

import gateway.auth.models  # noqa: F401 - registers users, organisations, tokens, sessions
from gateway.ledger import models as _ledger_models  # noqa: F401
from kernel.db import Base

__all__ = ["Base"]
