"""A database cache whose `incr` is atomic across processes, and the services mode's cache that
falls back to it while Redis is down.

Django's DatabaseCache increments with a read then a write, so two web processes can lose a count.
Rate limits in the embedded mode (several gunicorn workers, no Redis) need shared, atomic counts:
this increments inside a transaction that holds the row (SQLite's IMMEDIATE transactions take the
write lock at BEGIN; other databases take a row lock with SELECT ... FOR UPDATE).
"""

import base64
import logging
import pickle  # nosec B403: only to read and write the values Django's DatabaseCache itself pickles
import time

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now

logger = logging.getLogger(__name__)

try:  # what "Redis cannot be reached" looks like through django-redis
    from django_redis.exceptions import ConnectionInterrupted
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover - django-redis is in the runtime lock
    UNREACHABLE = (OSError,)


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > %s{lock}",  # noqa: S608  # nosec B608: table is the cache table's quote_name(), lock a constant; the values are bound parameters
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301  # nosec B301: a value DatabaseCache pickled into our own table (its format); no request writes it
            stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [stored, key])  # noqa: S608  # nosec B608: table is the cache table's quote_name(); the values are bound parameters
        return value


class FallbackCache(BaseCache):
    """The services mode's cache: Redis, and while Redis cannot be reached, the database cache.

    Rate limits live in the cache. Without this, a Redis outage turned every rate-limited page (the
    card, the claims API, login) into a 500. Falling back keeps them counting (in the database, from
    zero) rather than failing open for writes or closed for everyone. After a failure Redis is left
    alone for RETRY_SECONDS, so no request waits on a dead server more than its socket timeouts
    (OPTIONS of the primary: SOCKET_CONNECT_TIMEOUT, SOCKET_TIMEOUT)."""

    RETRY_SECONDS = 5.0

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._primary, self._fallback = options["PRIMARY"], options["FALLBACK"]
        self._down_until = 0.0

    def _call(self, method, *args, **kwargs):
        from django.core.cache import caches

        if time.monotonic() >= self._down_until:
            try:
                return getattr(caches[self._primary], method)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                logger.warning("cache: %s unreachable (%s); using %s for %ss", self._primary,
                               type(exc).__name__, self._fallback, self.RETRY_SECONDS)
        return getattr(caches[self._fallback], method)(*args, **kwargs)

    def clear(self):
        from django.core.cache import caches

        caches[self._fallback].clear()
        return self._call("clear")


def _delegated(method):
    def call(self, *args, **kwargs):
        return self._call(method, *args, **kwargs)

    call.__name__ = method
    return call


for _method in ("add", "get", "set", "touch", "delete", "incr", "get_many", "set_many", "delete_many", "has_key"):
    setattr(FallbackCache, _method, _delegated(_method))
