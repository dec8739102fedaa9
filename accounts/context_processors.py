"""`unread_notices` for the header's badge: counted only when a page shows it (lazily), once per
request, and only for a signed-in user."""

from django.utils.functional import SimpleLazyObject

from accounts.models import Notice


def unread_notices(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: Notice.objects.filter(user=user, read_at__isnull=True).count())}
