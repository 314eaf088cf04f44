from email.utils import parseaddr

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget
from phonenumbers import region_codes_for_country_code

from armorpt import email_kinds, emails
from armorpt.models import OutboundEmail
from armorpt.staff_sessions import LockedLoginForm

# What every admin page is headed with, the login page too.
admin.site.site_header = "Armor PT front desk"
admin.site.site_title = "Armor PT front desk"
admin.site.index_title = "Today at a glance"
# After "Lock", the sign-in page has the username filled in (armorpt.staff_sessions).
admin.site.login_form = LockedLoginForm


class KindFilter(admin.AllValuesFieldListFilter):
    """The kinds in the words of armorpt.email_kinds, by name; the address keeps `kind=<code name>`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup_choices = sorted(self.lookup_choices, key=email_kinds.label)

    def choices(self, changelist):
        kinds = set(self.lookup_choices)
        for choice in super().choices(changelist):
            if choice["display"] in kinds:
                choice = {**choice, "display": email_kinds.label(choice["display"])}
            yield choice


def phone_display(number):
    """'(269) 555-0188' for a number of the site's own country, '+44 20 7946 0018' for any other."""
    if not number:
        return ""
    if not number.is_valid():
        return str(number)
    local = settings.PHONENUMBER_DEFAULT_REGION in region_codes_for_country_code(number.country_code)
    return number.as_national if local else number.as_international


class AdminPhoneInput(RegionalPhoneNumberWidget):
    """A phone number field in the admin: '(269) 555-0188' to read and edit, as wide as the other inputs."""

    def __init__(self, region=None, attrs=None):
        super().__init__(region, {"class": "vTextField", **(attrs or {})})


class PhoneNumbersMixin:
    """For a ModelAdmin whose model has phone numbers: they show as the desk dials them."""

    formfield_overrides = {PhoneNumberField: {"widget": AdminPhoneInput}}


def phone_column(field="phone"):
    """A list column showing `field` as phone_display does."""

    @admin.display(description=field.replace("_", " "), ordering=field)
    def column(obj):
        return phone_display(getattr(obj, field))

    column.__name__ = f"{field}_display"
    return column


@admin.display(description="kind", ordering="kind")
def kind_label(message):
    return message.get_kind_display()


@admin.display(description="from", ordering="from_email")
def sender(message):
    """The sender's name for the list (the newsletter's may differ); the address is on the email's page."""
    name, address = parseaddr(message.from_email or settings.DEFAULT_FROM_EMAIL)
    return name or address


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox. Apps that know who may see which message narrow `get_queryset` (appointments.admin)."""

    list_display = ["created_at", kind_label, "to", sender, "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", ("kind", KindFilter)]
    search_fields = ["to", "subject", "message_id"]
    date_hierarchy = "created_at"
    # Every field shown, none editable; the kind by its plain name.
    fields = readonly_fields = [
        kind_label if f.name == "kind" else f.name
        for f in OutboundEmail._meta.fields
        if f.name not in ("id", "content_type", "object_id")
    ]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        resend = self.admin_site.admin_view(self.resend_view)
        return [path("<int:object_id>/resend/", resend, name="armorpt_outboundemail_resend"), *super().get_urls()]

    @admin.action(description="Send the selected emails again", permissions=["change"])
    def send_again(self, request, queryset):
        for message in queryset:
            emails.resend(message)
        messages.success(request, f"{queryset.count()} email(s) queued to send again.")

    def resend_view(self, request, object_id):
        """Confirm, then send one message again; back to what it was about (an appointment's page)."""
        message = self.get_object(request, str(object_id))
        if message is None:
            raise PermissionDenied
        if not self.has_change_permission(request, message):
            raise PermissionDenied
        if request.method == "POST":
            emails.resend(message)
            messages.success(request, f"“{message.get_kind_display()}” to {message.to} will be sent again.")
            return HttpResponseRedirect(self._back_to(request, message))
        context = {
            **self.admin_site.each_context(request),
            "title": "Send this email again?",
            "opts": self.opts,
            "message": message,
            "back_url": self._back_to(request, message),
        }
        return TemplateResponse(request, "admin/armorpt/outboundemail/resend.html", context)

    def _back_to(self, request, message):
        about = message.content_type
        if about is not None:
            name = f"admin:{about.app_label}_{about.model}_change"
            model_admin = self.admin_site._registry.get(about.model_class())
            if model_admin is not None and model_admin.has_view_permission(request):
                return reverse(name, args=[message.object_id])
        return reverse("admin:armorpt_outboundemail_change", args=[message.pk])


class OutboundEmailInline(GenericTabularInline):
    """The emails one appointment (or subscriber) caused, with their state."""

    model = OutboundEmail
    extra = 0
    can_delete = False
    fields = ["created_at", kind_label, "to", "subject", "status", "attempts", "sent_at", "last_error", "send_again"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "emails sent about this"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="send again")
    def send_again(self, message):
        if not message.pk:
            return ""
        url = reverse("admin:armorpt_outboundemail_resend", args=[message.pk])
        return format_html('<a href="{}">Send again…</a>', url)
