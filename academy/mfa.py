"""Two-factor authentication for the admin (allauth.mfa: TOTP and recovery codes).

Everyone may turn on two-factor authentication from their account pages (/konto/2fa/). With
settings.VAMOS_STAFF_MFA_REQUIRED (on in production) staff must have it before the admin opens to them:
StaffMfaRequiredMiddleware sends a staff member without an authenticator app to allauth's TOTP
activation page, with a message saying why. Once TOTP is active, allauth asks for a code at every login,
so every staff session in the admin was opened with two factors.

The admin's own login form is not used: vamos/urls.py sends /admin/login/ to allauth's login (its rate
limits and the TOTP step apply there too) and refuses a signed-in person who is not staff.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def staff_mfa_missing(user) -> bool:
    """Whether this person is staff and has no authenticator app set up yet."""
    return bool(user.is_authenticated and user.is_staff and not is_mfa_enabled(user, types=[Authenticator.Type.TOTP]))


class StaffMfaRequiredMiddleware:
    """With VAMOS_STAFF_MFA_REQUIRED, the admin opens to staff only once they have TOTP set up.

    Must come after AuthenticationMiddleware and MessageMiddleware. Costs one query on admin pages of
    signed-in staff, none elsewhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.VAMOS_STAFF_MFA_REQUIRED
            and request.path_info.startswith(reverse("admin:index"))
            and staff_mfa_missing(request.user)
        ):
            messages.warning(
                request,
                _(
                    "The administration is only open with two-factor authentication. Set up an "
                    "authenticator app now; afterwards you will be asked for its code at every login."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
