"""Pure rules over legal instruments: values in, a Decision out. No I/O, no settings, no clock."""

from __future__ import annotations

from contracts.errors import ContractsError

__all__ = ["ContractsError"]
