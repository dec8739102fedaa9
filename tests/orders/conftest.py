import pytest
from django.core.cache import cache

from tests.orders.helpers import make_address, make_variant


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    """Rate limits count in the (database) cache, which outlives a test's transaction: start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def variant(db):
    """A teapot at ¥128.00, 5 in stock, in a store owned by someone else."""
    return make_variant()


@pytest.fixture
def address(user):
    """alice's first (so default) address."""
    return make_address(user)


@pytest.fixture
def other_address(other_user):
    return make_address(other_user, recipient_name="Mallory")
