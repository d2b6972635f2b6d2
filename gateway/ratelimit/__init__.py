"""Rate limits (SECURITY.md R32): how many events a key (a link, an account, a client address;
always hashed) may have in a window, and 429 ``RATE_LIMITED`` with ``Retry-After`` beyond it.

- :class:`SharedRateLimiter` keeps its state in the database, so every web process of a
  deployment draws on one budget and a restart does not reset it. Recipient codes (sending and
  redeeming) and the accounting exports use it: rare events, where one more short write is cheap.
- :class:`MemoryRateLimiter` keeps its state in the process: the download path's extra limit
  (the use limit on the link's row is what bounds downloads), where a database write per request
  would cost the path its throughput (docs/decisions/0004-delivery-links.md).
"""

from __future__ import annotations

from gateway.ratelimit.errors import Limit, RateLimited
from gateway.ratelimit.memory import MemoryRateLimiter
from gateway.ratelimit.models import RateLimitState
from gateway.ratelimit.shared import SharedRateLimiter

__all__ = ["Limit", "MemoryRateLimiter", "RateLimitState", "RateLimited", "SharedRateLimiter"]
