"""`user_has_store` for the header: "Merchant console" for store members, "Open a store" for the
other signed-in users. Asked only when a page shows it (lazily), at most once per request."""

from django.utils.functional import SimpleLazyObject

from stores.selectors import user_has_store

_CACHE_ATTR = "_user_has_store"


def store_membership(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def has_store():
        if not hasattr(request, _CACHE_ATTR):
            setattr(request, _CACHE_ATTR, user_has_store(user))
        return getattr(request, _CACHE_ATTR)

    return {"user_has_store": SimpleLazyObject(has_store)}
