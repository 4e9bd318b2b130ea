from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PersonLanguageMiddleware:
    """Picks the language of a request, first match wins:

    1. the signed-in person's own (`User.language`, which their mails, reminders and certificates use too),
    2. the language cookie the switcher sets,
    3. the browser's Accept-Language: the best-weighted language the portal speaks ("tr-TR,tr;q=0.9" is
       Turkish, "uk" Ukrainian; a browser asking only for languages the portal lacks gets German),
    4. German.

    Unlike Django's LocaleMiddleware there are no language prefixes in URLs and no session key.
    Must come after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def language_for(self, request) -> str:
        user = request.user
        if user.is_authenticated and user.language in self.supported:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in self.supported:
            return cookie
        return self.browser_language(request.headers.get("Accept-Language", "")) or settings.LANGUAGE_CODE

    def browser_language(self, header: str) -> str | None:
        """The supported language the browser weights highest ("de-AT" counts as "de"), or None."""
        for code, quality in translation.trans_real.parse_accept_lang_header(header):
            if code == "*":
                break
            if quality <= 0:
                continue  # q=0 means "not this one"
            base = code.lower().split("-")[0]
            if base in self.supported:
                return base
        return None
