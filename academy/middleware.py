from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PersonLanguageMiddleware:
    """Picks the language of a request: the signed-in person's own, else the language cookie, else German.

    German first: unlike Django's LocaleMiddleware we do not follow the browser's Accept-Language,
    so a visitor meets the academy in German until they choose otherwise.
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
        patch_vary_headers(response, ("Cookie",))
        return response

    def language_for(self, request) -> str:
        user = request.user
        if user.is_authenticated and user.language in self.supported:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in self.supported:
            return cookie
        return settings.LANGUAGE_CODE
