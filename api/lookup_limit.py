"""A sliding-window limit on public status lookups per client address: dossier codes are
sequential, so without one a script could try codes against an e-mail it knows."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Addresses remembered at most: a flood of new addresses drops the oldest, never grows memory.
MAX_ADDRESSES = 10_000


class LookupLimit:
    """At most `per_window` lookups per address in any `window` seconds."""

    def __init__(
        self, per_window: int, window: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_window, self.window, self.clock = per_window, window, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # page routes run in a thread pool

    def wait(self, address: str) -> int:
        """0 and the lookup counted, or the whole seconds to wait before the next one."""
        if self.per_window <= 0:
            return 0
        now = self.clock()
        with self._lock:
            times = self._seen.pop(address, None) or deque()
            while times and times[0] <= now - self.window:
                times.popleft()
            self._seen[address] = times  # re-inserted: most recently seen last
            if len(self._seen) > MAX_ADDRESSES:
                del self._seen[next(iter(self._seen))]
            if len(times) >= self.per_window:
                return max(1, int(times[0] + self.window - now) + 1)
            times.append(now)
            return 0
