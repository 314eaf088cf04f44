"""The front-desk dashboard on the admin index (templates/admin/index.html)."""

from django import template

from appointments.admin import dashboard as admin_dashboard

register = template.Library()


@register.inclusion_tag("admin/appointments/_dashboard.html", takes_context=True)
def front_desk_dashboard(context):
    return {"dashboard": admin_dashboard.dashboard(context["request"])}
