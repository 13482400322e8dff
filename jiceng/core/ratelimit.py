"""Attempt counters in the shared cache (Redis in production, LocMem in tests): "at most N in a window".

A counter starts at the first attempt and lives ``window`` seconds; ``take`` counts an attempt and says
whether it is within the limit (the count is one atomic increment, so parallel requests cannot all slip
under it), ``give_back`` refunds one (a follow-up code that was right does not count as a failure).

Identities (an IP address, a ticket number) are hashed into the key: the cache never holds them plainly.
Limits are read from settings at call time (``JICENG_RATE_LIMITS``), so tests can make them small.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

#: ``name: (attempts, window seconds)``; ``settings.JICENG_RATE_LIMITS`` overrides any of them.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # 凭编号查询: wrong follow-up codes per ticket number, and per client address.
    "followup_ticket": (10, 3600),
    "followup_client": (30, 3600),
    # 我要反映 by a visitor (no account): reports per client address.
    "anonymous_report": (10, 3600),
}


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: int

    @property
    def minutes(self) -> int:
        return max(1, -(-self.window // 60))

    def key(self, ident: str) -> str:
        digest = hashlib.sha256(f"{self.name}:{ident}".encode()).hexdigest()[:32]
        return f"jiceng:ratelimit:{self.name}:{digest}"

    def count(self, ident: str) -> int:
        return int(cache.get(self.key(ident)) or 0)

    def exhausted(self, ident: str) -> bool:
        """Whether the next attempt would be over the limit (without counting one)."""
        return self.count(ident) >= self.attempts

    def take(self, ident: str) -> bool:
        """Count one attempt; True when it is within the limit."""
        key = self.key(ident)
        cache.add(key, 0, timeout=self.window)  # starts the window; a no-op while it runs
        try:
            value = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(key, 1, timeout=self.window)
            value = 1
        return value <= self.attempts

    def give_back(self, ident: str) -> None:
        try:
            if self.count(ident) > 0:
                cache.decr(self.key(ident))
        except ValueError:  # already expired
            pass


def limit(name: str) -> Limit:
    attempts, window = {**DEFAULT_LIMITS, **getattr(settings, "JICENG_RATE_LIMITS", {})}[name]
    return Limit(name, int(attempts), int(window))
