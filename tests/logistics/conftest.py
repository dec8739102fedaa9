import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    """Rate limits count in the (database) cache, which outlives a test's transaction: start clean."""
    cache.clear()
    yield
    cache.clear()
