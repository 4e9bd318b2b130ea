"""Sending the portal's own mails: one template pair (text and HTML) per mail, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


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
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    message.send()
