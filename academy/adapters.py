from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import resolve_url
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """allauth's mails go out in the recipient's language, whatever language the request had."""

    def send_mail(self, template_prefix, email, context):
        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def get_login_redirect_url(self, request):
        # Staff work in the admin; everyone else lands where their organisation is (or where they register one).
        if request.user.is_staff:
            return resolve_url("admin:index")
        return resolve_url("organisations:start")

    def save_user(self, request, user, form, commit=True):
        # A person who signs up keeps the language they were reading the portal in.
        user.language = translation.get_language() or user.language
        return super().save_user(request, user, form, commit=commit)
