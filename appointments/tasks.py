from celery import shared_task


@shared_task
def queue_reminders():
    from appointments import services

    return services.queue_due_reminders()


@shared_task
def erase_expired_patient_details():
    from appointments import services

    return services.erase_expired_patient_details()
