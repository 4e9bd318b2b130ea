"""The personal calendar feed: everything a person booked or agreed (academy.calendar), at a secret address.

The address holds a token (academy.models.CalendarFeedToken); making a new one revokes the old, and an
unknown or revoked token is a 404. Calendar programs fetch the feed without a session, so the token is the
only credential: it is long, random, and shown only to its owner.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from academy.calendar import calendar_entries
from academy.selectors import calendar_feed_owner, calendar_feed_token_of
from academy.services import calendar_feed_token_rotate

from . import ics


@login_required
@require_GET
def calendar(request):
    """Shows the person's feed address (if they made one) and the button that makes a new one."""
    token = calendar_feed_token_of(user=request.user)
    feed_url = request.build_absolute_uri(reverse("events:calendar_feed", args=[token.token])) if token else ""
    return render(request, "events/calendar.html", {"token": token, "feed_url": feed_url})


@login_required
@require_POST
def calendar_rotate(request):
    had_one = calendar_feed_token_of(user=request.user) is not None
    calendar_feed_token_rotate(user=request.user)
    if had_one:
        messages.success(request, _("Your new calendar link is ready. The old link no longer works."))
    else:
        messages.success(request, _("Your calendar link is ready."))
    return redirect("events:calendar")


@require_GET
def calendar_feed(request, token: str):
    owner = calendar_feed_owner(token=token)
    if owner is None:
        raise Http404
    with translation.override(owner.language):  # calendar programs send no cookie: speak the owner's language
        body = ics.calendar_ics(entries=calendar_entries(user=owner), name=_("VAMOs – my calendar"))
    response = HttpResponse(body, content_type=f"{ics.MIME_TYPE}; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
