"""Remembers the language each signed-in user reads the shop in (set by LocaleMiddleware from the
language switch, the cookie or the browser), so the worker writes their emails in it."""

from accounts.services import user_remember_language


class RememberLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(request, "LANGUAGE_CODE", "")
        if user is not None and user.is_authenticated and language and user.language != language:
            user_remember_language(user=user, language=language)
        return self.get_response(request)
