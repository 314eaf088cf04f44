"""Email backends that fail on purpose, to test retries (used through EMAIL_BACKEND in tests)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Refuses the next `failures_left` sends with an SMTP error, then delivers to mail.outbox."""

    failures_left = 0
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class BrokenTemplateBackend(LocmemBackend):
    """Fails with an error that is ours, not the network's: retrying cannot help."""

    def send_messages(self, messages):
        raise ValueError("bad header")
