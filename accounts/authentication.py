"""API token authentication with the token's user kept briefly in the cache.

DRF's TokenAuthentication reads the token and its user from the database on every request: on a
claim that loses on a sold-out gift, that read was most of the work left. Here the (user, token)
pair is kept in the cache for TOKEN_AUTH_CACHE_SECONDS, under a hash of the key (the key itself is
a password: it is never a cache key). It is dropped at once when the token is deleted or the user
is saved (deactivated, say; a login's last_login alone does not count), and a change made without
a save (a bulk UPDATE) is seen within TOKEN_AUTH_CACHE_SECONDS at most. Refusals (an unknown key,
an inactive user) are never cached: they are DRF's own, from the database.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def _cache_key(key: str) -> str:
    return "authtoken:" + hashlib.sha256(key.encode()).hexdigest()


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        seconds = settings.TOKEN_AUTH_CACHE_SECONDS
        if seconds <= 0:
            return super().authenticate_credentials(key)
        cache_key = _cache_key(key)
        found = cache.get(cache_key)
        if found is not None:
            return found
        user, token = super().authenticate_credentials(key)  # raises AuthenticationFailed as DRF does
        cache.set(cache_key, (user, token), seconds)
        return user, token


def _token_deleted(sender, instance, **kwargs):
    cache.delete(_cache_key(instance.key))


def _user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    keys = [_cache_key(key) for key in Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)]
    if keys:
        cache.delete_many(keys)


def connect() -> None:
    from django.contrib.auth import get_user_model

    post_delete.connect(_token_deleted, sender=Token, dispatch_uid="accounts.authentication.token_deleted")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="accounts.authentication.user_saved")
