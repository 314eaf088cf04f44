from celery import shared_task

from armorpt import emails


# The row counts attempts (emails.MAX_ATTEMPTS), so Celery's own retry limit is only a backstop.
@shared_task(bind=True, max_retries=emails.MAX_ATTEMPTS, acks_late=True)
def send_email(self, message_id):
    outcome = emails.deliver(message_id)
    if outcome is emails.Outcome.RETRY:
        raise self.retry(countdown=emails.retry_delay(self.request.retries + 1))
    return outcome.value


@shared_task
def sweep_outbox():
    return emails.sweep()
