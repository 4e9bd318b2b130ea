"""Reacts to allauth/Django login: a person whose accepted privacy notice is outdated is asked again; one who
accepted the current one has that remembered in the session.

The organisation pages (views.consent_required) send such a person to the consent page before anything
else; the message after login tells them why.
"""

from django.contrib import messages
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import ConsentRecord, privacy_notice_version
from .services import consent_remember


def ask_for_new_consent(sender, request, user, **kwargs):
    """user_logged_in receiver. Only people who accepted an earlier version are asked (new people consent
    when they register or join an organisation)."""
    versions = set(ConsentRecord.objects.filter(user=user).values_list("version", flat=True))
    if request is not None and privacy_notice_version() in versions:
        consent_remember(session=request.session)  # the organisation pages need not look it up again
    if versions and privacy_notice_version() not in versions and request is not None:
        # The request still speaks the visitor's language; the message is for the person who just logged in.
        with translation.override(user.language):
            text = format_html(
                '{} <a href="{}">{}</a>',
                _("Our privacy notice has changed."),
                reverse("organisations:consent"),
                _("Please read and confirm it."),
            )
        messages.info(request, text)
