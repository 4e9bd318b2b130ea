"""Sending the portal's own mails: one template pair (text and HTML) per mail, in the recipient's language."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

_shared_connection: ContextVar = ContextVar("vamos_mail_connection", default=None)


@contextmanager
def shared_mail_connection():
    """Within the block, send_templated_mail sends over one connection to the mail server (opened by the first
    mail, closed at the end or after a failure) instead of one per mail: for tasks that send a batch of mails."""
    from django.core.mail import get_connection

    connection = get_connection()
    token = _shared_connection.set(connection)
    try:
        yield connection
    finally:
        _shared_connection.reset(token)
        connection.close()


def send_templated_mail(
    *,
    template: str,
    to: list[str],
    context: dict,
    language: str | None = None,
    reply_to: list[str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
    """Renders templates/emails/<template>_subject.txt, _body.txt and _body.html and sends them.

    `attachments` are (filename, content, MIME type), e.g. an event's .ics.
    Raises on SMTP failure, so that the calling task can retry.
    """
    # A deleted (anonymised) account's placeholder address on the reserved .invalid domain receives nothing.
    to = [address for address in to if not address.lower().endswith("@anonymised.invalid")]
    if not to:
        return
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        text = render_to_string(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject=f"[VAMOs] {' '.join(subject.splitlines())}",
        body=text,
        to=to,
        reply_to=reply_to,
        connection=_shared_connection.get(),
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    shared = _shared_connection.get()
    if shared is None:
        message.send()
        return
    shared.open()  # a no-op while it is open: the backend then keeps it open after sending
    try:
        message.send()
    except OSError:
        shared.close()  # the next mail of the batch starts with a fresh connection
        raise
