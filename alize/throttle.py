"""Counting requests in fixed windows, on the shared cache: the one home of the app's throttles.

The password-reset form (per address and per client) and the indicators API (per token)
count their requests here. The counters live in Django's default cache: Redis in production
(`CACHE_URL`), so that every web worker sees the same counts; the process's memory in the
tests and the demo. A rate is written "<count>/<unit>", as in "5/h" or "120/m".
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 60 * 60 * 24}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        try:
            count, unit = text.strip().split("/")
            return cls(int(count), UNITS[unit.strip()[:1]])
        except (ValueError, KeyError) as exc:
            raise ImproperlyConfigured(
                f"Limite de débit mal écrite : {text!r} (attendu par exemple « 120/m » ou « 5/h »)."
            ) from exc


@dataclass(frozen=True)
class Hit:
    """One request counted: whether it stays within the rate, and when the window ends."""

    allowed: bool
    retry_after: int


def private_key(*parts: str) -> str:
    """A cache key that holds no personal data (an address is hashed)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def hit(scope: str, ident: str, rate: Rate | str) -> Hit:
    """Count one request of `ident` in the current window of `rate` (a `Rate` or its text)."""
    rate = Rate.parse(rate) if isinstance(rate, str) else rate
    now = time.time()
    window = int(now // rate.seconds)
    key = f"alize:throttle:{scope}:{window}:{private_key(ident)}"
    # add() only creates the counter; incr() is atomic on Redis (and under the local lock).
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=rate.seconds + 1)
        count = 1
    retry_after = max(1, int((window + 1) * rate.seconds - now + 0.999))
    return Hit(allowed=count <= rate.count, retry_after=retry_after)
