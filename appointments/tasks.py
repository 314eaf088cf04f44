from celery import shared_task

from appointments import services


@shared_task
def queue_reminders():
    return services.queue_due_reminders()


@shared_task
def erase_expired_patient_details():
    return services.erase_expired_patient_details()
