"""Celery tasks for sending issues. Each fetches by id and calls a service; the rows keep the state."""

from celery import shared_task

from armorpt.handoff import MAX_TASK_RETRIES, retry_delay, send


@shared_task(acks_late=True)
def send_issue(issue_id):
    """Fan out: one Delivery per confirmed subscriber, queued in batches."""
    from newsletter import services

    return services.fan_out(issue_id)


@shared_task(bind=True, acks_late=True, max_retries=MAX_TASK_RETRIES)
def send_batch(self, issue_id, delivery_ids):
    from newsletter import services

    result = services.send_batch(issue_id, delivery_ids)
    if result.later_ids:
        send(send_batch, issue_id, result.later_ids)
    if result.retry_ids:
        raise self.retry(args=(issue_id, result.retry_ids), countdown=retry_delay(self.request.retries + 1))
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}


@shared_task
def resume_sending():
    """Periodic: queue deliveries whose task was lost, and close the books on interrupted ones."""
    from newsletter import services

    return services.sweep()
