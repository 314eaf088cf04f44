"""The front desk's admin, one module per concern.

- registrations: booking rules, visit types, working hours, time off, closures, the outbox
- appointment: the appointment list and a visit's pages (book a caller, move, cancel, status)
- waitlist: who waits, and offering a freed time from the day view
- schedule: the day and week views; dashboard: the admin index; export: the CSV file
- forms and filters: what those pages share

Every change of status or time goes through appointments.services, as on the patient side.
"""

from appointments.admin import appointment, patients, registrations, waitlist  # noqa: F401  (registers the model admins)
