"""What every Celery worker adds to Celery's own: it sweeps the outbox, and it comes back quickly.

Mail queued while Redis was down (or whose task Redis lost on restart) used to wait for beat's
sweep: a one-minute threshold, a one-minute schedule and lost ticks made that 61-147 s. Now the
worker sweeps the moment it (re)connects to the broker, and every few seconds while connected,
so nothing depends on beat running and mail moves within seconds of the broker's return.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import bootsteps
from celery.worker.consumer import Consumer as CeleryConsumer

from armorpt.outages import Outage

logger = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 10
# Celery's reconnect waits grow to 30 s apart; a few seconds costs a refused connection each.
RECONNECT_INTERVAL_MAX_SECONDS = 3
SWEEP_FAILING = Outage("outbox sweep", "pending emails wait for the next sweep that works")


class Consumer(CeleryConsumer):
    """Celery's consumer, retrying the broker at most RECONNECT_INTERVAL_MAX_SECONDS apart."""

    def ensure_connected(self, conn):
        conn.ensure_connection = partial(
            conn.ensure_connection,
            interval_start=1,
            interval_step=1,
            interval_max=RECONNECT_INTERVAL_MAX_SECONDS,
        )
        return super().ensure_connected(conn)


def sweep_outbox(*, idle_for=None):
    """Queue what the outbox holds for us; never raises into the worker's event loop."""
    from django.db import close_old_connections

    from armorpt import emails

    close_old_connections()  # the worker's main process keeps its connection across restarts of PostgreSQL
    try:
        queued = emails.sweep(idle_for=emails.SWEEP_AFTER if idle_for is None else idle_for)
    except Exception as exc:  # noqa: BLE001 -- database down: the next tick tries again.
        SWEEP_FAILING.failed(exc)
        return 0
    SWEEP_FAILING.answered()
    if queued:
        logger.info("outbox sweep queued %d email(s)", queued)
    return queued


class OutboxSweeper(bootsteps.StartStopStep):
    """Runs each time the worker's consumer starts, that is after every (re)connection to the broker."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c, **kwargs):
        self.tref = None
        super().__init__(c, **kwargs)

    def start(self, c):
        # Just connected: whatever is pending and due was queued while we were away or lost with Redis.
        sweep_outbox(idle_for=timedelta(0))
        self.tref = c.timer.call_repeatedly(SWEEP_EVERY_SECONDS, sweep_outbox)

    def stop(self, c):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop
