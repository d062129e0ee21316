"""Per-user rate limit for the web chat: a sliding one-minute window, thread-safe."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable


class RateLimiter:
    """At most `per_minute` messages per user in any 60-second window.

    Args:
        per_minute: allowed messages per user per minute (0 or less: no limit).
        clock: seconds, monotonic (injectable for tests).
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, user: str) -> float:
        """Record a message from `user` if allowed.

        Returns:
            0.0 when allowed (and recorded), else the seconds to wait before the next message.
        """
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            q = self._hits.setdefault(user, deque())
            while q and now - q[0] >= 60.0:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(0.01, 60.0 - (now - q[0]))
            q.append(now)
            return 0.0
