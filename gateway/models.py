"""Every ORM model module, imported once so ``Base.metadata`` is complete (for alembic and the
models-versus-migrations check). Add a line here for each new models module."""

from __future__ import annotations

# Each import registers its tables on Base.metadata.
import vendors.models  # noqa: F401
from kernel.db import Base

__all__ = ["Base"]
