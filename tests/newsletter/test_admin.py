"""What staff do in admin: write an issue, preview it, test it on themselves, send it, watch it go out."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail

from armorpt.models import OutboundEmail
from newsletter.models import Delivery, Issue, Subscriber
from tests.factories import IssueFactory, SubscriberFactory
from tests.helpers import as_a_person, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/newsletter/subscriber/",
        "/admin/newsletter/subscriber/?q=ana",
        "/admin/newsletter/subscriber/?status__exact=confirmed",
        "/admin/newsletter/subscriber/add/",
        "/admin/newsletter/issue/",
        "/admin/newsletter/issue/?q=winter",
        "/admin/newsletter/issue/add/",
        "/admin/newsletter/delivery/",
        "/admin/newsletter/delivery/?q=ana",
        "/admin/newsletter/delivery/?status__exact=failed",
    ],
)
def test_admin_pages_open_for_staff(admin_client, url):
    issue = IssueFactory()
    Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(email="ana@example.com"))

    assert admin_client.get(url).status_code == 200


def test_a_subscriber_page_shows_the_emails_and_issues_they_were_sent(admin_client, client):
    client.post("/newsletter/", {"email": "ana@example.com", **as_a_person()})
    subscriber = Subscriber.objects.get()

    html = text(admin_client.get(f"/admin/newsletter/subscriber/{subscriber.pk}/change/"))

    assert "Please confirm your subscription" in html
    assert "Waiting for confirmation" in html


def test_staff_changing_a_status_dates_it(admin_client):
    subscriber = SubscriberFactory(email="ana@example.com", first_name="Ana")

    admin_client.post(
        f"/admin/newsletter/subscriber/{subscriber.pk}/change/",
        {
            "email": "ana@example.com",
            "first_name": "Ana",
            "status": "unsubscribed",
            "source": "footer",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
            "armorpt-outboundemail-content_type-object_id-TOTAL_FORMS": "0",
            "armorpt-outboundemail-content_type-object_id-INITIAL_FORMS": "0",
        },
    )

    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at


def test_the_same_address_in_another_case_cannot_be_added_twice(admin_client):
    SubscriberFactory(email="ana@example.com")

    response = admin_client.post(
        "/admin/newsletter/subscriber/add/",
        {
            "email": "ANA@example.com",
            "status": "pending",
            "source": "staff",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
            "armorpt-outboundemail-content_type-object_id-TOTAL_FORMS": "0",
            "armorpt-outboundemail-content_type-object_id-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "already on the list" in text(response)
    assert Subscriber.objects.count() == 1


def test_csv_export_lists_only_confirmed_subscribers_and_defuses_formulas(admin_client):
    SubscriberFactory(email="ana@example.com", first_name='=HYPERLINK("http://evil.example")')
    SubscriberFactory(email="bo@example.com", first_name="Bo")
    SubscriberFactory(email="pending@example.com", status="pending")
    SubscriberFactory(email="gone@example.com", status="unsubscribed")

    response = admin_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_confirmed", ACTION_CHECKBOX_NAME: list(Subscriber.objects.values_list("pk", flat=True))},
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["email", "first_name", "confirmed_at", "source"]
    assert [row[:2] for row in rows[1:]] == [
        ["ana@example.com", '\'=HYPERLINK("http://evil.example")'],
        ["bo@example.com", "Bo"],
    ]


def test_preview_shows_the_issue_in_the_email_design(admin_client):
    issue = IssueFactory(subject="Stay strong", body="## Three stretches\n\n<script>alert(1)</script>Cat-camel.")

    change = text(admin_client.get(f"/admin/newsletter/issue/{issue.pk}/change/"))
    assert f"/admin/newsletter/issue/{issue.pk}/preview/" in change
    html = admin_client.get(f"/admin/newsletter/issue/{issue.pk}/preview/")
    plain = admin_client.get(f"/admin/newsletter/issue/{issue.pk}/preview/?format=text")

    assert html.status_code == 200
    assert "<h2>Three stretches</h2>" in text(html) and "<script" not in text(html)
    assert "100 Main Street, Kalamazoo" in text(html) and "Unsubscribe" in text(html)
    assert "'unsafe-inline'" in html["Content-Security-Policy"].split("style-src")[1].split(";")[0]
    assert "script-src 'self'" in html["Content-Security-Policy"]
    assert text(plain).startswith("Subject: Stay strong") and "Three stretches\n=====" in text(plain)
    assert "#" not in text(plain)  # the text part as readers get it, not the Markdown


def test_send_a_test_to_me(admin_client, admin_user, django_capture_on_commit_callbacks):
    issue = IssueFactory(subject="Stay strong")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/newsletter/issue/", {"action": "send_test_to_me", ACTION_CHECKBOX_NAME: [issue.pk]}, follow=True
        )

    [message] = mail.outbox
    assert message.to == [admin_user.email] and message.subject == "[Test] Stay strong"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboundEmail.objects.get().kind == "newsletter.test"
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT  # a test is not the real thing


def test_sending_asks_first_then_sends_and_shows_progress(admin_client, django_capture_on_commit_callbacks):
    readers = [SubscriberFactory() for _ in range(3)]
    SubscriberFactory(status="unsubscribed")
    issue = IssueFactory()
    action = {"action": "send_to_subscribers", ACTION_CHECKBOX_NAME: [issue.pk]}

    question = admin_client.post("/admin/newsletter/issue/", action)
    assert "Send this issue?" in text(question) and "<strong>3</strong> confirmed subscribers" in text(question)
    assert mail.outbox == [] and Issue.objects.get().status == "draft"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/newsletter/issue/", {**action, "confirmed": "yes"}, follow=True)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)
    change = text(admin_client.get(f"/admin/newsletter/issue/{issue.pk}/change/"))
    assert "Sent: 3" in change and "Failed: 0" in change and "Waiting: 0" in change
    # Sent: the words can no longer change under the readers' eyes.
    assert 'name="subject"' not in change
    listing = text(admin_client.get("/admin/newsletter/issue/"))
    assert "3 / 0 / 0" in listing


def test_sending_a_sent_issue_again_is_refused(admin_client):
    issue = IssueFactory(status=Issue.Status.SENT)

    response = admin_client.post(
        "/admin/newsletter/issue/",
        {"action": "send_to_subscribers", ACTION_CHECKBOX_NAME: [issue.pk], "confirmed": "yes"},
        follow=True,
    )

    assert "was sent already" in text(response)
