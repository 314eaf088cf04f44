"""The plain-text part of an issue reads as a letter: no Markdown, no HTML, every link an address that works."""

import re

import pytest
from django.core import mail

from newsletter import services
from tests.factories import IssueFactory, SubscriberFactory
from tests.helpers import emails

pytestmark = pytest.mark.django_db

BODY = """# Spring is here

Hello **readers**! After a long winter of shovelling snow and sitting at desks, our therapists wrote a
*short* routine for stiff backs. Start with [the back pain guide](/guides/back-pain-exercises/) & take it slowly.

## Three things to try

- Walk for **10 minutes** a day
- Stretch your hamstrings: lie on your back, lift one leg and hold it behind the knee for thirty seconds
- Sleep on your side

Questions? Write to [our front desk](mailto:desk@armorpt.test) or read [the guides](https://armorpt.test/guides/).

<script>alert("hi")</script>
"""


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """The message one subscriber got for an issue written in Markdown."""
    SubscriberFactory(email="reader@example.com")
    issue = IssueFactory(subject="Spring", body=BODY, guide_url="")
    with django_capture_on_commit_callbacks(execute=True):
        services.start_sending(issue)
    [message] = mail.outbox
    return message


def test_the_text_part_has_no_markdown_or_html_left(sent):
    body = sent.body

    assert "](" not in body and "**" not in body and "*short*" not in body
    assert not re.search(r"^\s*#", body, flags=re.MULTILINE)
    assert "<" not in body and "&amp;" not in body
    assert 'alert("hi")' not in body  # removed from the HTML part, so from the text part too
    assert "Hello readers! After a long winter" in body


def test_links_are_written_out_with_the_sites_address(sent):
    body = " ".join(sent.body.split())  # a link's text and its address may be on two lines

    assert "the back pain guide (https://armorpt.test/guides/back-pain-exercises/)" in body
    assert "our front desk (desk@armorpt.test)" in body
    assert "the guides (https://armorpt.test/guides/)" in body
    assert "(/guides/" not in body


def test_headings_paragraphs_and_lists_read_like_a_letter(sent):
    lines = sent.body.splitlines()

    heading = lines.index("Three things to try")
    assert set(lines[heading + 1]) == {"="} and lines[heading + 2] == ""
    assert lines[heading + 3 : heading + 5] == [
        "- Walk for 10 minutes a day",
        "- Stretch your hamstrings: lie on your back, lift one leg and hold it",
    ]
    assert lines[heading + 5].startswith("  behind the knee")  # a long item wraps under its text
    assert lines[heading + 6] == "- Sleep on your side"
    # The issue is wrapped for a mail program's window; only a line that is one long address may run over.
    issue = sent.body.split("\n--\n")[0].splitlines()
    assert all(len(line) <= 72 or " " not in line.strip() for line in issue)


def test_the_staff_test_copy_has_the_same_text_part(sent):
    issue = IssueFactory(subject="Spring", body=BODY, guide_url="")

    services.send_test(issue=issue, to="staff@armorpt.test")

    [test_copy] = emails("newsletter.test")
    assert without_unsubscribe_link(test_copy.body_text) == without_unsubscribe_link(sent.body)


def without_unsubscribe_link(body):
    return re.sub(r"https://armorpt\.test/newsletter/unsubscribe/[^/\s]+/", "<unsubscribe>", body)
