from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline

from armorpt import emails
from armorpt.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "message_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundEmail._meta.fields if f.name not in ("content_type", "object_id")]
    exclude = ["content_type", "object_id"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send the selected emails again", permissions=["change"])
    def send_again(self, request, queryset):
        for message in queryset:
            emails.resend(message)
        messages.success(request, f"{queryset.count()} email(s) queued to send again.")


class OutboundEmailInline(GenericTabularInline):
    """The emails one appointment (or subscriber) caused, with their state."""

    model = OutboundEmail
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "emails sent about this"

    def has_add_permission(self, request, obj=None):
        return False
