"""Celery tasks for sending issues. Each fetches by id and calls a service; the rows keep the state."""

from celery import shared_task

from armorpt.emails import retry_delay
from newsletter import services


@shared_task(acks_late=True)
def send_issue(issue_id):
    """Fan out: one Delivery per confirmed subscriber, queued in batches."""
    return services.fan_out(issue_id)


# Each delivery counts its attempts (services.MAX_ATTEMPTS); Celery's limit is only a backstop.
@shared_task(bind=True, acks_late=True, max_retries=services.MAX_ATTEMPTS)
def send_batch(self, issue_id, delivery_ids):
    result = services.send_batch(issue_id, delivery_ids)
    if result.later_ids:
        services.enqueue(send_batch, issue_id, result.later_ids)
    if result.retry_ids:
        raise self.retry(args=(issue_id, result.retry_ids), countdown=retry_delay(self.request.retries + 1))
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}


@shared_task
def resume_sending():
    """Periodic: queue deliveries whose task was lost, and close the books on interrupted ones."""
    return services.sweep()
