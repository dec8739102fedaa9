"""Admin for orders, payments, refunds, notifications and the sandbox's books: staff only, read-only."""

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext

from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_relay
from orders.models import Order, Refund, SandboxCharge, SandboxWebhook, WebhookEvent
from orders.payments.sandbox import sandbox_charge_complete
from orders.services.refunds import TOPIC_EXECUTE
from orders.services.sweeps import orders_cancel_unpaid
from tests.conftest import api_client_for
from tests.factories import UserFactory, member_of
from tests.orders.helpers import create_order, deliver, make_address, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def new_order(variant, username):
    buyer = UserFactory(username=username)
    response = create_order(api_client_for(buyer), variant, make_address(buyer))
    return Order.objects.get(id=response.json()["id"])


def late_refunded_order(variant):
    """An order cancelled for want of payment, paid afterwards, and refunded: every table has a row."""
    order = new_order(variant, "late")
    Order.objects.filter(id=order.id).update(pay_by=Now())
    orders_cancel_unpaid()
    sandbox_charge_complete(ref=order.payments.get().provider_ref, outcome="succeeded")
    deliver()
    outbox_relay()
    return order


def test_order_changelist_and_change_page_show_lines_and_payments(staff_client, variant):
    order = new_order(variant, "buyer1")

    changelist = staff_client.get("/admin/orders/order/", {"q": "buyer1"})
    change = staff_client.get(f"/admin/orders/order/{order.id}/change/")

    assert changelist.status_code == 200
    assert [o.id for o in changelist.context["cl"].result_list] == [order.id]
    assert "¥128.00" in changelist.content.decode()
    html = change.content.decode()
    assert change.status_code == 200
    assert "Teapot" in html and "Small" in html  # the line inline
    assert order.payments.get().provider_ref in html  # the payment inline
    assert 'name="_save"' not in html  # read-only


def test_payment_refund_and_webhook_pages_are_read_only(staff_client, variant):
    order = late_refunded_order(variant)
    payment = order.payments.get()
    refund = Refund.objects.get()
    event = WebhookEvent.objects.get()

    payment_page = staff_client.get(f"/admin/orders/payment/{payment.id}/change/")
    assert payment_page.status_code == 200 and refund.refund_ref in payment_page.content.decode()
    for url in (
        f"/admin/orders/refund/{refund.id}/change/",
        f"/admin/orders/webhookevent/{event.id}/change/",
        f"/admin/orders/sandboxcharge/{SandboxCharge.objects.get().id}/change/",
        f"/admin/orders/sandboxwebhook/{SandboxWebhook.objects.get().id}/change/",
    ):
        page = staff_client.get(url)
        assert page.status_code == 200, url
        assert 'name="_save"' not in page.content.decode(), url
    for model in ("order", "payment", "refund", "webhookevent", "sandboxcharge", "sandboxrefund", "sandboxwebhook"):
        assert staff_client.get(f"/admin/orders/{model}/").status_code == 200, model
        assert staff_client.get(f"/admin/orders/{model}/add/").status_code == 403, model
    # a change posted anyway is refused and changes nothing
    staff_client.post(f"/admin/orders/order/{order.id}/change/", {"status": "paid"})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_orders_admin_is_for_staff_only(client, user, variant):
    order = new_order(variant, "buyer2")
    client.force_login(user)

    response = client.get(f"/admin/orders/order/{order.id}/change/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def _changelist_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/admin/orders/order/", "/admin/orders/payment/", "/admin/orders/refund/"])
def test_changelists_make_as_many_queries_for_20_rows_as_for_1(staff_client, url):
    variant = make_variant(stock=100)

    def one_more(n):
        order = new_order(variant, f"buyer{n}")
        Order.objects.filter(id=order.id).update(pay_by=Now())
        orders_cancel_unpaid()
        sandbox_charge_complete(ref=order.payments.get().provider_ref, outcome="succeeded")
        deliver()
        outbox_relay()

    one_more(0)
    one = _changelist_queries(staff_client, url)
    for n in range(1, 20):
        one_more(n)

    twenty = _changelist_queries(staff_client, url)

    assert Refund.objects.count() == 20
    assert one == twenty, f"{url}: {one} queries for 1 row, {twenty} for 20: a column is queried per row"


def test_the_admins_retry_action_sends_a_failed_refund_again_once(staff_client, variant):
    refund = Refund.objects.get(payment__order=late_refunded_order(variant))
    Refund.objects.filter(id=refund.id).update(status=Refund.Status.FAILED)  # the provider gave up on it
    action = {"action": "retry_refund", "_selected_action": [refund.id]}

    first = staff_client.post("/admin/orders/refund/", action, follow=True)
    again = staff_client.post("/admin/orders/refund/", action, follow=True)

    assert "1 refund sent again." in first.content.decode()
    assert "0 refunds sent again." in again.content.decode()  # it is pending now: nothing to retry
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.PENDING, 2)
    assert OutboxMessage.objects.filter(topic=TOPIC_EXECUTE, key=f"{refund.refund_ref}:try:2").count() == 1


def test_the_retry_action_is_for_platform_staff_only(client, variant):
    refund = Refund.objects.get(payment__order=late_refunded_order(variant))
    Refund.objects.filter(id=refund.id).update(status=Refund.Status.FAILED)
    client.force_login(member_of(variant))  # the store's owner: no admin

    response = client.post("/admin/orders/refund/", {"action": "retry_refund", "_selected_action": [refund.id]})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Refund.objects.get(id=refund.id).status == Refund.Status.FAILED
