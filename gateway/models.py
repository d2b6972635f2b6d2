"""Every ORM model module, imported once so ``Base.metadata`` is complete (for alembic and the
models-versus-migrations check). Add a line here for each new models module.

Each import below registers its tables on ``Base.metadata``. They look unused: if a tool ever
drops one, ``test_gateway_models_alone_registers_every_migrated_table`` fails.
"""

from __future__ import annotations

import gateway.auth.models
import gateway.ledger.models
import gateway.notices
import gateway.ratelimit.models
import gateway.releases.approval_models
import gateway.releases.delivery.models
import gateway.releases.extensions
import gateway.releases.models  # noqa: F401
import vendors.models  # noqa: F401
from kernel.db import Base

__all__ = ["Base"]
