"""Purchases that never shipped (cancelled unpaid, or their payment failed) keep their ship-to copy no
longer than shipped ones (DESIGN §6 "purge addresses"): ADDRESS_RETENTION_DAYS after the payment
window closed, `purge_order_addresses` (hourly on the beat) redacts the same fields."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics.services.purge import REDACTED_SNAPSHOT_KEYS
from orders.models import Order
from orders.services.purge import orders_purge_unshipped_ship_to
from orders.tasks import purge_order_addresses
from tests.conftest import api_client_for
from tests.factories import AddressFactory, UserFactory
from tests.orders.helpers import create_order, make_variant

pytestmark = pytest.mark.django_db


def _order(variant, *, status="cancelled", days_ago=31):
    buyer = UserFactory()
    created = create_order(api_client_for(buyer), variant, AddressFactory(user=buyer, street="9 Hidden Lane"))
    order = Order.objects.get(id=created.json()["id"])
    Order.objects.filter(id=order.id).update(status=status, pay_by=timezone.now() - timedelta(days=days_ago))
    order.refresh_from_db()
    assert order.ship_to["street"] == "9 Hidden Lane"
    return order


def _redacted(order):
    order.refresh_from_db()
    return not set(REDACTED_SNAPSHOT_KEYS) & set(order.ship_to)


def test_a_cancelled_purchase_s_address_goes_after_the_period_and_not_before(variant):
    old, recent = _order(variant, days_ago=31), _order(variant, days_ago=29)

    assert orders_purge_unshipped_ship_to() == 1

    assert _redacted(old) and not _redacted(recent)
    assert {"country", "region", "city"} <= set(old.ship_to)  # coarse enough to keep, as for parcels


def test_a_failed_payment_counts_too_and_a_pending_one_never(variant):
    failed, pending = _order(variant, status="payment_failed"), _order(variant, status="pending_payment")

    orders_purge_unshipped_ship_to()

    assert _redacted(failed) and not _redacted(pending)


def test_the_setting_is_honoured_and_a_second_run_does_nothing(variant, settings):
    settings.ADDRESS_RETENTION_DAYS = 60
    order = _order(variant, days_ago=31)
    assert orders_purge_unshipped_ship_to() == 0
    settings.ADDRESS_RETENTION_DAYS = 30

    assert orders_purge_unshipped_ship_to() == 1 and _redacted(order)
    assert orders_purge_unshipped_ship_to() == 0


def test_queries_do_not_grow_with_the_rows():
    variant = make_variant(stock=100)
    _order(variant)
    with CaptureQueriesContext(connection) as one:
        orders_purge_unshipped_ship_to()
    for _ in range(12):
        _order(variant)
    with CaptureQueriesContext(connection) as twelve:
        assert orders_purge_unshipped_ship_to() == 12

    assert len(one) == len(twelve)


def test_the_command_and_the_task_run_it(variant):
    _order(variant)
    out = StringIO()
    call_command("purge_order_addresses", stdout=out)
    assert "1 order addresses redacted" in out.getvalue()

    _order(variant)
    assert purge_order_addresses() == 1
