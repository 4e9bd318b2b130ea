from django.conf import settings

CSP_HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response (Django 5.2 has no CSP of its own).

    A view that needs another policy sets the header itself; this middleware then leaves it alone.
    With DEBUG on, error responses go without it: Django's technical 404/500 pages are built from
    inline styles and scripts, and a developer should see them whole.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if not policy or CSP_HEADER in response.headers:
            return response
        if settings.DEBUG and response.status_code >= 400:
            return response
        response.headers[CSP_HEADER] = policy
        return response
