"""The production settings, run as production runs them.

pytest itself runs on vamos.settings.test, so everything that needs vamos.settings.production happens in a
separate Python process with a production-like environment: a long random SECRET_KEY, a real host name,
a REDIS_URL (nothing connects to it) and a database URL. No Redis or Docker is needed.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from vamos.middleware import ContentSecurityPolicyMiddleware

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "vamos.example"
RESULT_MARK = "RESULT "


def settings_variables() -> set[str]:
    """Every environment variable the settings and the container's helpers read."""
    names = set()
    for path in [*BASE_DIR.glob("vamos/settings/*.py"), *BASE_DIR.glob("docker/*.py")]:
        text = path.read_text()
        names.update(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", text))
        names.update(re.findall(r"os\.environ\.get\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))
    return names


def dotenv_defines(name: str) -> bool:
    """Whether a developer's .env (read by the settings at start-up) sets this variable."""
    dotenv = BASE_DIR / ".env"
    return dotenv.exists() and re.search(rf"^\s*(export\s+)?{name}\s*=", dotenv.read_text(), re.MULTILINE) is not None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("production")


@pytest.fixture(scope="module")
def production_env(workdir):
    """The environment of a production process; none of the caller's settings variables leak in."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' business (set in their conftest); production never has it.
    leave_out = {*settings_variables(), "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in leave_out}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vamos.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"https://{HOST}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'check.sqlite3'}",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            # Stated, so that a developer's .env cannot weaken what is checked here.
            "INSECURE_LOCAL_HTTP": "false",
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_HSTS_SECONDS": "31536000",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def run(args: list[str], env: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def run_python(code: str, env: dict, timeout: int = 120) -> dict:
    """Runs code in a fresh interpreter; it reports by printing RESULT_MARK + JSON on one line."""
    process = run([sys.executable, "-c", code], env, timeout)
    assert process.returncode == 0, process.stdout + process.stderr
    lines = [line for line in process.stdout.splitlines() if line.startswith(RESULT_MARK)]
    assert lines, process.stdout + process.stderr
    return json.loads(lines[-1].removeprefix(RESULT_MARK))


# ------------------------------------------------------------------------------
# Start-up and `check --deploy`
# ------------------------------------------------------------------------------


def test_check_deploy_finds_no_issue(production_env):
    process = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    output = process.stdout + process.stderr
    assert process.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("SECRET_KEY", "Set the SECRET_KEY environment variable"),
        ("ALLOWED_HOSTS", "Set the ALLOWED_HOSTS environment variable"),
        ("REDIS_URL", "REDIS_URL must be set in production"),
    ],
)
def test_refuses_to_start_without_a_required_variable(production_env, variable, message):
    if dotenv_defines(variable):
        pytest.skip(f"the .env next to manage.py sets {variable}")
    env = {key: value for key, value in production_env.items() if key != variable}
    process = run([sys.executable, "-c", "import django; django.setup()"], env)
    assert process.returncode != 0
    assert "ImproperlyConfigured" in process.stderr
    assert message in process.stderr


def test_insecure_local_http_is_refused_for_a_public_host(production_env):
    env = {**production_env, "INSECURE_LOCAL_HTTP": "true"}
    process = run([sys.executable, "-c", "import django; django.setup()"], env)
    assert process.returncode != 0
    assert "INSECURE_LOCAL_HTTP is only for the local compose stack" in process.stderr
    assert HOST in process.stderr


def compose_environment() -> dict[str, str]:
    """The portal's environment in docker-compose.yml (the block under `environment: &portal-environment`)."""
    lines = (BASE_DIR / "docker-compose.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "environment: &portal-environment" in line)
    indent = len(lines[start]) - len(lines[start].lstrip())
    environment = {}
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        match = re.match(r"\s+([A-Z][A-Z0-9_]*):\s*(.*)$", line)
        if match:
            environment[match[1]] = match[2].strip().strip('"')
    return environment


def test_the_compose_stack_environment_starts_production_for_plain_http(production_env, workdir):
    compose = compose_environment()
    assert compose["DJANGO_SETTINGS_MODULE"] == "vamos.settings.production"
    assert compose["INSECURE_LOCAL_HTTP"] == "true"
    assert "NOT-FOR-PRODUCTION" in compose["SECRET_KEY"]
    env = {key: value for key, value in production_env.items() if key not in settings_variables()}
    env.update(compose)
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'compose.sqlite3'}"  # compose's host "db" is not here
    result = run_python(
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print('RESULT ' + json.dumps({name: getattr(s, name) for name in ["
        "'DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'LANGUAGE_COOKIE_SECURE', 'EMAIL_HOST', 'EMAIL_PORT', 'CELERY_BROKER_URL', 'ALLOWED_HOSTS']}))",
        env,
    )
    assert result == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "LANGUAGE_COOKIE_SECURE": False,
        "EMAIL_HOST": "mail",
        "EMAIL_PORT": 1025,
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "web"],
    }


def test_env_example_names_every_variable_the_settings_read():
    example = (BASE_DIR / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    assert settings_variables() - documented == set()


# ------------------------------------------------------------------------------
# Static files as the Dockerfile collects them, and the pages' headers
# ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collected_static(production_env):
    """collectstatic exactly as the Dockerfile runs it: production settings, dummy secrets, nothing running."""
    env = {
        **production_env,
        "SECRET_KEY": "collectstatic-only-not-a-secret",
        "ALLOWED_HOSTS": "localhost",
        "REDIS_URL": "redis://localhost:6379/0",
    }
    process = run([sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], env, timeout=300)
    assert process.returncode == 0, process.stdout + process.stderr
    return Path(production_env["STATIC_ROOT"])


def test_collectstatic_builds_the_hashed_compressed_files_whitenoise_serves(collected_static):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/htmx/htmx.min.js"]
    assert hashed != "vendor/htmx/htmx.min.js"
    assert (collected_static / hashed).exists()
    assert (collected_static / f"{hashed}.gz").exists()


HEADER_PROBE = """
import json

import django

django.setup()

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from academy import health
from academy.models import User
from vamos.celery import app

# Nothing here may reach Redis or SMTP: a local cache, tasks inline, mail kept in memory.
app.conf.task_always_eager = True
health.CHECKS["broker"] = lambda: None
overrides = override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
overrides.enable()
call_command("migrate", verbosity=0)
PASSWORD = "a-long-probe-password-1"
user = User.objects.create_user("probe@vamos.example", PASSWORD)
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

https = {"secure": True, "headers": {"X-Forwarded-Proto": "https"}}
client = Client(HTTP_HOST="%(host)s")


def describe(response):
    return {
        "status": response.status_code,
        "location": response.headers.get("Location"),
        "headers": dict(response.headers.items()),
        "cookies": {
            name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                   "samesite": morsel["samesite"]}
            for name, morsel in response.cookies.items()
        },
    }


result = {
    "home": describe(client.get("/", **https)),
    "login_form": describe(client.get("/konto/login/", **https)),
    "login": describe(client.post("/konto/login/", {"login": user.email, "password": PASSWORD}, **https)),
    "language": describe(client.post("/sprache/", {"language": "en", "next": "/"}, **https)),
    "plain_http": describe(Client(HTTP_HOST="%(host)s").get("/impressum/")),
    "healthz_plain_http": describe(Client(HTTP_HOST="%(host)s").get("/healthz")),
}
print("RESULT " + json.dumps(result))
"""


@pytest.fixture(scope="module")
def probed(production_env, collected_static, workdir):
    env = {**production_env, "DATABASE_URL": f"sqlite:///{workdir / 'probe.sqlite3'}"}
    return run_python(HEADER_PROBE % {"host": HOST}, env)


@pytest.mark.parametrize("page", ["home", "login_form", "login", "language"])
def test_security_headers_on_every_https_response(probed, page):
    response = probed[page]
    assert response["status"] in {200, 302}, response
    headers = {name.lower(): value for name, value in response["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["content-security-policy"] == settings.CONTENT_SECURITY_POLICY


def test_every_cookie_is_secure_and_the_sensitive_ones_http_only(probed):
    cookies = {}
    for response in probed.values():
        cookies.update(response["cookies"])
    assert {"csrftoken", "sessionid", settings.LANGUAGE_COOKIE_NAME} <= set(cookies)
    for name, cookie in cookies.items():
        assert cookie["secure"], name
        assert cookie["samesite"] == "Lax", name
    for name in ("csrftoken", "sessionid", settings.LANGUAGE_COOKIE_NAME):
        assert cookies[name]["httponly"], name


def test_signing_in_sets_the_session_cookie(probed):
    login = probed["login"]
    assert login["status"] == 302
    assert "sessionid" in login["cookies"]


def test_plain_http_is_redirected_to_https_except_the_health_check(probed):
    assert probed["plain_http"]["status"] == 301
    assert probed["plain_http"]["location"] == f"https://{HOST}/impressum/"
    healthz = probed["healthz_plain_http"]
    assert healthz["status"] == 200
    assert "strict-transport-security" not in {name.lower() for name in healthz["headers"]}


# ------------------------------------------------------------------------------
# Content-Security-Policy (vamos.middleware)
# ------------------------------------------------------------------------------


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(part.split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in settings.CONTENT_SECURITY_POLICY
    assert "http" not in settings.CONTENT_SECURITY_POLICY


def test_the_style_hash_matches_the_indicator_style_htmx_inserts():
    """htmx adds one <style> element at start-up; the policy admits it by hash. An htmx update must keep it."""
    source = (BASE_DIR / "static/vendor/htmx/htmx.min.js").read_text()
    match = re.search(
        r"const (\w+)=\w+\.config\.indicatorClass;const (\w+)=\w+\.config\.requestClass;"
        r"\w+\(\)\.head\.insertAdjacentHTML\(\"beforeend\",`<style\$\{\w+\}>`\+(.*?)\+\"</style>\"\)",
        source,
    )
    assert match, "htmx no longer adds its indicator style as before: recheck HTMX_INDICATOR_STYLE_HASH"
    indicator, request, parts = match.groups()
    css = "".join(re.findall(r"`([^`]*)`", parts))
    css = css.replace(f"${{{indicator}}}", "htmx-indicator").replace(f"${{{request}}}", "htmx-request")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.HTMX_INDICATOR_STYLE_HASH
    assert f"style-src 'self' 'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY


def respond(status=200, **headers):
    def view(request):
        return HttpResponse(status=status, headers=headers)

    return view


def test_middleware_sends_the_policy():
    response = ContentSecurityPolicyMiddleware(respond())(RequestFactory().get("/"))
    assert response.headers["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_middleware_leaves_a_views_own_policy_alone():
    own = "default-src 'none'"
    response = ContentSecurityPolicyMiddleware(respond(**{"Content-Security-Policy": own}))(RequestFactory().get("/"))
    assert response.headers["Content-Security-Policy"] == own


def test_middleware_spares_debug_error_pages_only(settings):
    settings.DEBUG = True
    error = ContentSecurityPolicyMiddleware(respond(status=500))(RequestFactory().get("/"))
    page = ContentSecurityPolicyMiddleware(respond())(RequestFactory().get("/"))
    assert "Content-Security-Policy" not in error.headers
    assert page.headers["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_middleware_sends_nothing_without_a_policy(settings):
    settings.CONTENT_SECURITY_POLICY = ""
    response = ContentSecurityPolicyMiddleware(respond())(RequestFactory().get("/"))
    assert "Content-Security-Policy" not in response.headers
