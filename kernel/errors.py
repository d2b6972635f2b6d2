"""The root of every error our packages raise on purpose.

Errors are named facts that carry data. Each package has its own ``errors.py`` with one base class
under :class:`DomainError`; ``gateway/errors.py`` maps error types to HTTP statuses in one table.
Messages and data carry identifiers and counts, never document text or PHI.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """An expected failure with a stable reason code.

    ``code`` is a stable, upper-case reason code (``PDF_ENCRYPTED``); ``data`` holds safe,
    non-PHI context such as page numbers or ids.
    """

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(self, message: str = "", **data: object) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        self.data: dict[str, object] = data

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, data={self.data!r})"
