import csv

from csp.decorators import csp_update
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from armorpt.admin import OutboundEmailInline
from armorpt.emails import render_email
from armorpt.spreadsheet import safe_cell
from newsletter import services
from newsletter.models import Delivery, Issue, Subscriber


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["issue", "status", "sent_at", "error"]
    readonly_fields = fields
    verbose_name_plural = "newsletters sent to this address"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "status", "source", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "source"]
    search_fields = ["email", "first_name"]
    # Tens of thousands of addresses: no count of them all, no scan of their sign-up dates.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
    fields = [
        "email",
        "first_name",
        "status",
        "source",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    readonly_fields = ["created_at", "confirmation_sent_at", "confirmed_at", "unsubscribed_at"]
    inlines = [DeliveryInline, OutboundEmailInline]
    actions = ["export_confirmed"]

    def get_changeform_initial_data(self, request):
        return {"source": Subscriber.Source.STAFF, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.set_status(obj.status, timezone.now())
        super().save_model(request, obj, form, change)

    @admin.action(description="Export the confirmed ones among the selected as CSV", permissions=["view"])
    def export_confirmed(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="newsletter-subscribers-{timezone.localdate()}.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "first_name", "confirmed_at", "source"])
        for subscriber in queryset.confirmed().order_by("email").iterator():
            writer.writerow(
                safe_cell(value)
                for value in (
                    subscriber.email,
                    subscriber.first_name,
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                    subscriber.source,
                )
            )
        return response


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "created_at", "sent_at", "progress_summary"]
    list_filter = ["status"]
    search_fields = ["subject", "body"]
    date_hierarchy = "created_at"
    readonly_fields = ["status", "send_started_at", "sent_at", "progress", "preview"]
    actions = ["send_to_subscribers", "send_test_to_me"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fields(self, request, obj=None):
        fields = ["subject", "body", "guide_url"]
        return fields + (["preview", "status", "send_started_at", "sent_at", "progress"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        # What went to half the list must be what goes to the other half.
        frozen = ["subject", "body", "guide_url"] if obj and obj.status != Issue.Status.DRAFT else []
        return frozen + self.readonly_fields

    def get_queryset(self, request):
        by_status = {
            f"n_{status}": Count("deliveries", filter=Q(deliveries__status=status)) for status in Delivery.Status.values
        }
        return super().get_queryset(request).annotate(**by_status)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletter_issue_preview",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="sent / failed / waiting")
    def progress_summary(self, obj):
        if obj.status == Issue.Status.DRAFT:
            return "–"
        waiting = obj.n_pending + obj.n_sending
        return f"{obj.n_sent} / {obj.n_failed} / {waiting}"

    @admin.display(description="progress")
    def progress(self, obj):
        if obj.status == Issue.Status.DRAFT:
            return "Not sent yet."
        counts = services.progress(obj)
        changelist = reverse("admin:newsletter_delivery_changelist")
        rows = [
            (f"{changelist}?issue__id__exact={obj.pk}&status__exact={status}", label, counts[status])
            for status, label in Delivery.Status.choices
        ]
        return format_html_join(", ", '<a href="{}">{}: {}</a>', rows)

    @admin.display(description="preview")
    def preview(self, obj):
        url = reverse("admin:newsletter_issue_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">As an email (HTML)</a> · '
            '<a href="{}?format=text" target="_blank" rel="noopener">Plain text</a> (save first to see changes)',
            url,
            url,
        )

    @csp_update({"style-src": ["'unsafe-inline'"]})  # The email design is inline styles (mail clients need them).
    def preview_view(self, request, pk):
        issue = get_object_or_404(Issue, pk=pk)
        if not self.has_view_permission(request, issue):
            return HttpResponse(status=403)
        renderer = services.IssueEmail(issue)
        subject, text, html = render_email(renderer.template, renderer.context(services.sample_unsubscribe_url()))
        if request.GET.get("format") == "text":
            return HttpResponse(f"Subject: {subject}\n\n{text}", content_type="text/plain; charset=utf-8")
        return HttpResponse(html)

    @admin.action(description="Send the selected issue to all confirmed subscribers", permissions=["change"])
    def send_to_subscribers(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Please select one issue to send.", messages.WARNING)
            return None
        issue = queryset.get()
        if issue.status == Issue.Status.SENT:
            self.message_user(request, f"“{issue}” was sent already; it is not sent twice.", messages.WARNING)
            return None
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "newsletter/admin/confirm_send.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Send this issue?",
                    "issue": issue,
                    "audience": Subscriber.objects.confirmed().count(),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        resumed = issue.status == Issue.Status.SENDING
        services.start_sending(issue)
        what = "Resumed sending" if resumed else "Started sending"
        self.message_user(request, f"{what} “{issue}”. Progress shows on the issue's page.", messages.SUCCESS)
        return None

    @admin.action(description="Send a test of the selected issues to me", permissions=["view"])
    def send_test_to_me(self, request, queryset):
        if not request.user.email:
            self.message_user(request, "Your staff account has no email address; add one first.", messages.ERROR)
            return
        for issue in queryset:
            services.send_test(issue=issue, to=request.user.email)
        self.message_user(request, f"Test sent to {request.user.email}.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "issue", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "issue"]
    list_select_related = ["subscriber", "issue"]
    search_fields = ["subscriber__email"]
    # One row per reader per issue: no count of them all, no scan of their dates.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
