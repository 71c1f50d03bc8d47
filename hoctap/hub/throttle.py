"""Failed logins, counted per account and per address, and the pause that follows too many (in the hub's memory).

    throttle = Throttle(max_failures=5, lockout_seconds=300)
    throttle.wait_left("tn-0001", "10.0.0.7")   # 0.0, or the seconds before this account/address may try again
    throttle.failed("tn-0001", "10.0.0.7")      # one more failure; the fifth locks the account for 5 minutes
    throttle.succeeded("tn-0001")               # an account's count starts again

An account is locked after `max_failures` failures in a row; an address after `max_failures × per_address_factor`
(a unit's whole meeting may share one address: a few typos there must not lock everybody out, a guessing script
trying many accounts from one address is stopped all the same). A lock lasts `lockout_seconds`, then the count
starts again. The counts live in the hub's process: one hub per province (JupyterHub runs one), restarted rarely.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_TRACKED = 100_000  # keys kept at most: a flood of made-up names must not grow the hub's memory without end


@dataclass
class _Count:
    failures: int = 0
    locked_until: float = 0.0


@dataclass
class Throttle:
    max_failures: int = 5
    lockout_seconds: float = 300.0
    per_address_factor: int = 10
    clock: Callable[[], float] = time.monotonic
    _counts: dict[str, _Count] = field(default_factory=dict)

    def wait_left(self, account: str, address: str | None) -> float:
        """Seconds before `account` (or anyone from `address`) may try again; 0 when they may now."""
        now = self.clock()
        keys = [self._account(account)] + ([self._address(address)] if address else [])
        return max([0.0] + [self._counts[k].locked_until - now for k in keys if k in self._counts])

    def failed(self, account: str, address: str | None) -> None:
        self._count(self._account(account), self.max_failures)
        if address:
            self._count(self._address(address), self.max_failures * self.per_address_factor)

    def succeeded(self, account: str) -> None:
        self._counts.pop(self._account(account), None)

    def _count(self, key: str, limit: int) -> None:
        now = self.clock()
        if len(self._counts) >= MAX_TRACKED:
            self._forget_unlocked(now)
        count = self._counts.setdefault(key, _Count())
        if count.locked_until and count.locked_until <= now:  # a lock served: start again
            count.failures, count.locked_until = 0, 0.0
        count.failures += 1
        if count.failures >= limit:
            count.locked_until = now + self.lockout_seconds

    def _forget_unlocked(self, now: float) -> None:
        for key in [k for k, c in self._counts.items() if c.locked_until <= now]:
            del self._counts[key]

    @staticmethod
    def _account(account: str) -> str:
        return f"account:{account}"

    @staticmethod
    def _address(address: str) -> str:
        return f"address:{address}"
