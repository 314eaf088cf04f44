from celery import shared_task


@shared_task
def queue_reminders():
    from appointments import services

    return services.queue_due_reminders()


@shared_task
def erase_expired_patient_details():
    from appointments import services

    return services.erase_expired_patient_details()


@shared_task
def offer_freed_times(freed_ids):
    """Offer the times a schedule change freed, once it has committed (appointments.waitlist)."""
    from appointments import waitlist

    return waitlist.work_freed_times(freed_ids)


@shared_task
def refill_waitlist():
    """Beat, every minute: offers not answered in time go to the next in line; lost freed times are worked."""
    from appointments import waitlist

    return waitlist.refill()
