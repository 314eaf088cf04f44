"""Everything about the newsletter leaves from the newsletter's address, as the issues themselves do."""

import pytest
from django.core import mail

from newsletter import services
from tests.factories import IssueFactory
from tests.helpers import emails, newsletter_link

pytestmark = pytest.mark.django_db

NEWS = "Armor Physical Therapy News <news@armorpt.test>"


@pytest.fixture(autouse=True)
def newsletter_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Armor Physical Therapy <appointments@armorpt.test>"
    settings.NEWSLETTER_FROM_EMAIL = NEWS


def test_the_confirmation_and_the_welcome_come_from_the_newsletter(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_up(email="ana@example.com")
    token = newsletter_link(mail.outbox[0].body, "confirm").split("/")[-2]
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(services.confirm_link(token))

    assert [(m.subject.split()[0], m.from_email) for m in mail.outbox] == [("Please", NEWS), ("Welcome", NEWS)]
    assert {row.from_email for row in emails("newsletter.confirm") + emails("newsletter.welcome")} == {NEWS}


def test_a_staff_test_copy_comes_from_the_newsletter(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(issue=IssueFactory(), to="staff@armorpt.test")

    [message] = mail.outbox
    assert message.from_email == NEWS and message.subject.startswith("[Test]")
