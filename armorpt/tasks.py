from celery import shared_task

from armorpt.handoff import MAX_TASK_RETRIES, retry_delay


@shared_task(bind=True, max_retries=MAX_TASK_RETRIES, acks_late=True)
def send_email(self, message_id):
    from armorpt import emails

    outcome = emails.deliver(message_id)
    if outcome is emails.Outcome.RETRY:
        raise self.retry(countdown=retry_delay(self.request.retries + 1))
    return outcome.value


@shared_task
def sweep_outbox():
    """By hand, or from beat if a deployment wants it: every worker already sweeps (armorpt.worker)."""
    from armorpt import emails

    return emails.sweep()
