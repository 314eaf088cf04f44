"""The one way work reaches Celery: after the transaction that caused it commits, never by raising.

A task queued inside a transaction could run before its rows are visible, or after they were
rolled back, so work is handed over in `transaction.on_commit`. When the broker refuses or hangs,
the caller carries on: the rows say what is still to be done, and a sweeper queues it again
(armorpt.emails.sweep, run by every worker; newsletter.services.sweep, run by beat).

Services import their tasks from here at module level; tasks import services inside the task.
"""

from functools import partial

from django.db import transaction

from armorpt.outages import BROKER

# A failed send is tried again after 30 s, 1, 2, 4 … minutes, never more than 30 minutes apart.
RETRY_BACKOFF_SECONDS = 30
RETRY_BACKOFF_CAP_SECONDS = 30 * 60
# Only a backstop: each outbox row and newsletter delivery counts its own attempts and stops sooner.
MAX_TASK_RETRIES = 10


def after_commit(task, *args) -> None:
    """Queue `task(*args)` once the surrounding transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(send, task, *args))


def send(task, *args) -> bool:
    """Queue `task(*args)` now, trying the broker once and briefly. False if it did not take it."""
    try:
        task.apply_async(args, retry=False)
    except Exception as exc:  # noqa: BLE001 -- refused, hung or misconfigured: the rows keep the work.
        BROKER.failed(exc)
        return False
    BROKER.answered()
    return True


def retry_delay(attempts: int) -> int:
    """Seconds to wait before attempt number `attempts + 1` of a send that failed `attempts` times."""
    return min(RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), RETRY_BACKOFF_CAP_SECONDS)
