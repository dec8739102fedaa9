import threading

import pytest
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import connection

from giftshop.cache import AtomicDatabaseCache

TABLE = "tests_atomic_cache"
THREADS = 8
INCREMENTS = 25


@pytest.fixture
def atomic_cache(django_db_blocker):
    """The embedded-mode cache on its own table (also when the suite runs with REDIS_URL set)."""
    with django_db_blocker.unblock():
        command = CreateCacheTable()
        command.verbosity = 0
        command.create_table("default", TABLE, dry_run=False)
    cache = AtomicDatabaseCache(TABLE, {})
    yield cache
    with django_db_blocker.unblock():
        cache.clear()


@pytest.mark.django_db(transaction=True)
def test_incr_from_many_threads_loses_no_increment(atomic_cache):
    # given a counter at 0
    atomic_cache.set("hits", 0, 300)
    barrier = threading.Barrier(THREADS)
    errors = []

    def hammer():
        try:
            barrier.wait()
            for _ in range(INCREMENTS):
                atomic_cache.incr("hits")
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    # when 8 threads, each with its own connection, increment it 25 times at once
    threads = [threading.Thread(target=hammer) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then it counts exactly 200
    assert errors == []
    assert atomic_cache.get("hits") == THREADS * INCREMENTS


@pytest.mark.django_db(transaction=True)
def test_incr_returns_the_new_value_and_refuses_a_missing_key(atomic_cache):
    atomic_cache.set("n", 41, 300)

    assert atomic_cache.incr("n") == 42
    assert atomic_cache.incr("n", 8) == 50
    assert atomic_cache.decr("n", 10) == 40
    with pytest.raises(ValueError):
        atomic_cache.incr("missing")
