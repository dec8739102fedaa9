import pytest

from tests.orders.helpers import make_address, make_variant


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
