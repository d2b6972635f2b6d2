"""Every ORM model module, imported once so ``Base.metadata`` is complete (for alembic and the
models-versus-migrations check). Add a line here for each new models module.

Each import below registers its tables on ``Base.metadata``; keep the ``noqa`` on every line, or
``ruff --fix`` deletes them as unused (a test in a fresh interpreter catches that).
"""

from __future__ import annotations

import gateway.auth.models
import gateway.ledger.models
import gateway.notices  # noqa: F401
import vendors.models  # noqa: F401
from kernel.db import Base

__all__ = ["Base"]
