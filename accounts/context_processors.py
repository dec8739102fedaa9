"""The header's context: `unread_notices` for its badge (counted only when a page shows it, lazily,
once per request, and only for a signed-in user) and `auth_next` for its log-in and sign-up links."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import Notice


def unread_notices(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: Notice.objects.filter(user=user, read_at__isnull=True).count())}


def auth_next(request):
    """`auth_next` for the header's "Log in" and "Sign up": the page to come back to. That is this
    page, or on the log-in and sign-up pages themselves, the (safe) page they were asked for."""
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return {}
    if request.path in (reverse("accounts:login"), reverse("accounts:signup")):
        target = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return {"auth_next": target if safe else ""}
    return {"auth_next": request.get_full_path()}
