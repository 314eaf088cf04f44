from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from armorpt import emails
from armorpt.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox. Apps that know who may see which message narrow `get_queryset` (appointments.admin)."""

    list_display = ["created_at", "kind", "to", "from_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "message_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundEmail._meta.fields if f.name not in ("content_type", "object_id")]
    exclude = ["content_type", "object_id"]
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
            messages.success(request, f"The {message.get_kind_display()} email to {message.to} will be sent again.")
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
    fields = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at", "last_error", "send_again"]
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
