"""One warning when a shared service stops answering, and one line when it answers again.

A Redis outage used to write a warning per request (13,082 lines in 79 seconds); the operator
needs to know when it broke, why, and when it came back. State is per process, so each web or
worker process says it once.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)


class Outage:
    def __init__(self, name: str, consequence: str):
        self.name = name
        self.consequence = consequence
        self._down_since = None
        self._failures = 0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def failed(self, exc: BaseException) -> None:
        """The service just failed a call: warn if it was up until now, count it otherwise."""
        with self._lock:
            self._failures += 1
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        logger.warning(
            "%s unreachable (%s: %s); %s. Logged once until it answers again.",
            self.name,
            type(exc).__name__,
            exc,
            self.consequence,
        )

    def answered(self) -> None:
        """The service just answered: say so once if it had been failing."""
        if self._down_since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self._down_since is None:
                return
            seconds, failures = time.monotonic() - self._down_since, self._failures
            self._down_since, self._failures = None, 0
        logger.warning("%s answers again after %.1f s (%d failed calls meanwhile)", self.name, seconds, failures)


CACHE = Outage("cache (Redis)", "pages are built without it and rate limits are not counted")
BROKER = Outage("Celery broker (Redis)", "emails stay in the outbox until a worker's sweep queues them")
