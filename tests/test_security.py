"""Login protection: the admin signs in through allauth (rate limits, two-factor step), and staff need TOTP.

- /admin/login/ is not a second login form: it sends visitors to the portal's login with `next` back to the
  admin page they asked for, and refuses a signed-in person who is not staff.
- allauth counts failed logins per account in the cache; after five the right password is refused too, also
  for someone who came from the admin. With REDIS_URL the count lives in Redis, shared by every process.
- With VAMOS_STAFF_MFA_REQUIRED (production), staff without an authenticator app are sent to set one up;
  with TOTP they sign in with password and code, and each recovery code works once.
"""

import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.conf import settings as django_settings
from django.urls import reverse

from academy import roles
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
ADMIN_PAGE = "/admin/events/event/"
LOGIN_URL = "/konto/login/"


def staff_member(**kwargs):
    return UserFactory(is_staff=True, roles=[roles.STAFF], language="en", **kwargs)


def current_code(user) -> str:
    """The code the person's authenticator app shows now, from the secret allauth stored for them."""
    secret = decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])
    return code_for(secret)


def code_for(secret: str) -> str:
    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def login_url_with_next(next_url: str) -> str:
    return f"{LOGIN_URL}?next={next_url}"


def too_many_attempts() -> str:
    return str(get_account_adapter().error_messages["too_many_login_attempts"])


def incorrect_code() -> str:
    return str(get_mfa_adapter().error_messages["incorrect_code"])


# ------------------------------------------------------------------------------
# The admin signs in through allauth
# ------------------------------------------------------------------------------


def test_the_admin_sends_a_visitor_to_the_portal_login_and_back(client):
    response = client.get(ADMIN_PAGE, follow=True)

    final = response.redirect_chain[-1][0]
    assert urlsplit(final).path == LOGIN_URL
    assert parse_qs(urlsplit(final).query)["next"] == [ADMIN_PAGE]
    page = response.content.decode()
    assert 'name="login"' in page and 'name="password"' in page
    assert f'name="next" value="{ADMIN_PAGE}"' in page


def test_staff_signing_in_from_the_admin_land_on_the_page_they_asked_for(client):
    user = staff_member()

    response = client.post(login_url_with_next(ADMIN_PAGE), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == ADMIN_PAGE
    assert client.get(ADMIN_PAGE).status_code == 200


def test_the_admins_own_login_form_no_longer_signs_anyone_in(client):
    """Credentials posted to /admin/login/ bypass nothing: the visitor is sent to the portal's login."""
    user = staff_member()

    response = client.post("/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_URL
    assert "_auth_user_id" not in client.session


def test_a_person_who_is_not_staff_is_not_let_into_the_admin(client):
    person = UserFactory(roles=[roles.COACH])

    response = client.post(login_url_with_next("/admin/"), {"login": person.email, "password": PASSWORD})
    assert response["Location"] == "/admin/"
    response = client.get("/admin/", follow=True)

    # Signed in, but refused, and not sent round in circles between the two login pages.
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert client.get(ADMIN_PAGE, follow=True).status_code == 403


# ------------------------------------------------------------------------------
# Rate limits on failed logins
# ------------------------------------------------------------------------------


def fail_five_times(client, url, email):
    for _attempt in range(5):
        response = client.post(url, {"login": email, "password": "not-the-password"})
        assert response.status_code == 200
        assert too_many_attempts() not in response.content.decode()


def test_failed_logins_from_the_admin_are_limited_per_account(client):
    user = staff_member()
    login_page = client.get(ADMIN_PAGE, follow=True).redirect_chain[-1][0]

    fail_five_times(client, login_page, user.email)
    response = client.post(login_page, {"login": user.email, "password": PASSWORD})

    # The sixth attempt is refused even with the right password; the person reads why, beside the form.
    assert response.status_code == 200
    assert too_many_attempts() in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert urlsplit(client.get(ADMIN_PAGE, follow=True).redirect_chain[-1][0]).path == LOGIN_URL


def test_the_limit_holds_for_another_browser_too(client):
    """The count belongs to the account, not to the session: a fresh browser does not start again at zero."""
    from django.test import Client

    user = staff_member()
    fail_five_times(client, LOGIN_URL, user.email)

    other_browser = Client()
    response = other_browser.post(login_url_with_next("/admin/"), {"login": user.email, "password": PASSWORD})

    assert too_many_attempts() in response.content.decode()
    assert "_auth_user_id" not in other_browser.session


def test_other_accounts_are_not_locked_out_by_someone_elses_failures(client):
    target, bystander = staff_member(), staff_member()
    fail_five_times(client, LOGIN_URL, target.email)

    response = client.post(login_url_with_next("/admin/"), {"login": bystander.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.fixture
def redis_cache(settings):
    """Django's cache as production has it: Redis (vamos/settings/base.py with REDIS_URL), a key prefix of its own."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs Redis: set REDIS_URL=redis://…")
    import redis

    prefix = f"vamos-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(redis_url)
    yield server, prefix
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)
    server.close()


def test_failed_logins_are_counted_in_redis_where_every_process_sees_them(client, redis_cache):
    server, prefix = redis_cache
    user = staff_member()

    fail_five_times(client, login_url_with_next("/admin/"), user.email)
    # What a second web process would find: the count is in Redis, outside this process.
    assert any(b"login_failed" in key for key in server.scan_iter(f"{prefix}:*"))
    response = client.post(login_url_with_next("/admin/"), {"login": user.email, "password": PASSWORD})

    assert too_many_attempts() in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_production_counts_login_failures_in_redis_and_requires_staff_mfa():
    """The production settings as a server runs them (a fresh process): Redis cache, limits on, MFA required."""
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    for name in ("VAMOS_STAFF_MFA_REQUIRED", "DEBUG", "CONN_MAX_AGE"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vamos.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "vamos.example",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": "sqlite:///:memory:",
        }
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from allauth.account import app_settings as a; "
        "print('RESULT ' + json.dumps({'cache': s.CACHES['default']['BACKEND'], "
        "'login_failed': a.RATE_LIMITS.get('login_failed'), 'login': a.RATE_LIMITS.get('login'), "
        "'mfa_required': s.VAMOS_STAFF_MFA_REQUIRED, 'middleware': s.MIDDLEWARE}))"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert process.returncode == 0, process.stderr
    line = next(line for line in process.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))

    assert result["cache"] == "academy.redis_clients.RedisCache"  # Django's, one client per pool
    assert result["login_failed"] == "10/m/ip,5/300s/key"
    assert result["login"] == "30/m/ip"
    assert result["mfa_required"] is True
    middleware = result["middleware"]
    assert middleware.index("academy.mfa.StaffMfaRequiredMiddleware") > middleware.index(
        "django.contrib.messages.middleware.MessageMiddleware"
    )


def test_staff_mfa_is_not_required_outside_production():
    assert django_settings.VAMOS_STAFF_MFA_REQUIRED is False


# ------------------------------------------------------------------------------
# Two-factor authentication
# ------------------------------------------------------------------------------


def test_everyone_finds_two_factor_authentication_on_their_account_page(client):
    client.force_login(UserFactory(language="en"))

    page = client.get(reverse("account_email")).content.decode()

    assert f'href="{reverse("mfa_index")}"' in page
    assert "Two-Factor Authentication" in page
    assert client.get(reverse("mfa_index")).status_code == 200


def test_when_required_staff_without_an_authenticator_are_sent_to_set_one_up(client, settings):
    settings.VAMOS_STAFF_MFA_REQUIRED = True
    client.force_login(staff_member())

    response = client.get(ADMIN_PAGE)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"], follow=True).content.decode()
    assert "The administration is only open with two-factor authentication." in page


def test_when_not_required_staff_enter_the_admin_without_an_authenticator(client, settings):
    settings.VAMOS_STAFF_MFA_REQUIRED = False
    client.force_login(staff_member())

    assert client.get(ADMIN_PAGE).status_code == 200


def test_the_requirement_concerns_the_admin_only(client, settings):
    settings.VAMOS_STAFF_MFA_REQUIRED = True
    client.force_login(staff_member())

    assert client.get(reverse("events:catalogue")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_staff_set_up_totp_when_asked_and_then_enter_the_admin(client, settings):
    settings.VAMOS_STAFF_MFA_REQUIRED = True
    user = staff_member()

    # Signing in lands staff in the admin, which first asks for an authenticator app; allauth asks for the
    # password once more before a security setting changes.
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD}, follow=True)
    chain = [url for url, _status in response.redirect_chain]
    assert chain[:2] == [reverse("admin:index"), reverse("mfa_activate_totp")]
    assert urlsplit(chain[-1]).path == reverse("account_reauthenticate")
    assert "The administration is only open with two-factor authentication." in response.content.decode()
    response = client.post(chain[-1], {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")

    # The page shows the secret (and its QR code); the person types the code their app shows for it.
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in response.content.decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(ADMIN_PAGE).status_code == 200


@pytest.fixture
def staff_with_totp():
    user = staff_member()
    TOTP.activate(user, generate_totp_secret())
    codes = RecoveryCodes.activate(user).generate_codes()
    return user, codes


def sign_in_with_password(client, user, next_url="/admin/"):
    response = client.post(login_url_with_next(next_url), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone does not sign in.
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN_PAGE).status_code == 302
    return response


def test_staff_with_totp_sign_in_with_password_and_code_then_the_admin_opens(client, settings, staff_with_totp):
    settings.VAMOS_STAFF_MFA_REQUIRED = True
    user, _codes = staff_with_totp

    sign_in_with_password(client, user, next_url=ADMIN_PAGE)
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if current_code(user) != "000000" else "111111"})
    assert incorrect_code() in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(user)})

    assert response.status_code == 302
    assert response["Location"] == ADMIN_PAGE
    assert client.get(ADMIN_PAGE).status_code == 200


def test_a_recovery_code_signs_in_once_only(client, settings, staff_with_totp):
    settings.VAMOS_STAFF_MFA_REQUIRED = True
    user, codes = staff_with_totp

    sign_in_with_password(client, user)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post(reverse("account_logout"))

    sign_in_with_password(client, user)
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200
    assert incorrect_code() in again.content.decode()
    assert "_auth_user_id" not in client.session

    # Another, unused code still works.
    response = client.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_guessing_codes_is_limited_like_guessing_passwords(client, staff_with_totp):
    user, _codes = staff_with_totp
    sign_in_with_password(client, user)

    for _attempt in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "12345678"})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(user)})

    assert too_many_attempts() in response.content.decode()
    assert "_auth_user_id" not in client.session
