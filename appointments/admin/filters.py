"""List filters shared by the appointment and waitlist lists."""

import datetime as dt

from django.contrib import admin
from django.utils import timezone

from appointments.availability import local_midnight
from appointments.models import Appointment

Status = Appointment.Status


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A filter with a default choice, dropped while the user searches or picks a date in the hierarchy."""

    default = None

    def __init__(self, request, params, model, model_admin):
        self.browsing = bool(request.GET.get("q")) or any(key.startswith("start__") for key in request.GET)
        super().__init__(request, params, model, model_admin)

    def value(self):
        return super().value() or ("all" if self.browsing else self.default)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class WhenFilter(DefaultChoiceFilter):
    title = "date"
    parameter_name = "when"
    default = "upcoming"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", "Upcoming and under way"),
            ("today", "Today"),
            ("week", "This week"),
            ("past", "Past"),
            ("all", "Any date"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        match self.value():
            case "upcoming":
                return queryset.not_ended(now)
            case "today":
                start = local_midnight(today, tz)
                return queryset.filter(start__gte=start, start__lt=local_midnight(today + dt.timedelta(1), tz))
            case "week":
                monday = today - dt.timedelta(days=today.weekday())
                start = local_midnight(monday, tz)
                return queryset.filter(start__gte=start, start__lt=local_midnight(monday + dt.timedelta(7), tz))
            case "past":
                return queryset.filter(end__lt=now, start__lt=now)  # the start bound lets its index answer
        return queryset


class StatusFilter(DefaultChoiceFilter):
    title = "status"
    parameter_name = "status"
    default = "active"

    def lookups(self, request, model_admin):
        return [("active", "Active (not cancelled)"), *Status.choices, ("all", "Any status")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "active":
            return queryset.active()
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset
