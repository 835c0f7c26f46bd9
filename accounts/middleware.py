from django.utils import translation


class UserLanguageMiddleware:
    """Serve a signed-in user in their preferred language; others keep the browser's choice.

    Runs after LocaleMiddleware (which chose from the cookie or Accept-Language) and after
    authentication, so the stored preference wins over the browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        preferred = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if preferred and preferred != request.LANGUAGE_CODE:
            translation.activate(preferred)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
