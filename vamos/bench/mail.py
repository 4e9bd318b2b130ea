import os

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class CountingBackend(BaseEmailBackend):
    """Takes a message the way a mail server would, and writes one line per message (its first recipient)
    to BENCH_MAIL_LOG: the record the background benchmark counts. O_APPEND writes of one short line are
    atomic, so the worker processes may share the file."""

    def send_messages(self, email_messages):
        path = getattr(settings, "BENCH_MAIL_LOG", "")
        lines = "".join(f"{(message.to or ['-'])[0]}\n" for message in email_messages)
        for message in email_messages:
            message.message()  # build the MIME message as a real backend would
        if path and lines:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, lines.encode())
            finally:
                os.close(fd)
        return len(email_messages)
