"""A parcel that came back to the store has a way forward (issue 9): the merchant ships it again
or refunds it, once, and the sender and the recipient (or the buyer) are told which."""

import pytest
from django.urls import reverse

from accounts.models import Notice
from gifts.models import Claim
from gifts.services.claims import claim_accept
from gifts.services.following import claim_follow_shipment
from gifts.services.returns import shipment_resolve_return
from giftshop.errors import NotFound
from logistics.errors import ParcelNotReturned, ReturnAlreadyResolved
from logistics.models import Shipment
from logistics.services.tracking import shipment_dispatch
from orders.models import Refund
from orders.services.checkout import order_create_purchase
from tests.factories import AddressFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift, pay

pytestmark = pytest.mark.django_db
PRICE = 12345


@pytest.fixture
def tea():
    return VariantFactory(stock=10, price_minor=PRICE)


def came_back(shipment):
    """The carrier brought it back (what the sandbox's RTN… timeline ends with)."""
    shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number="RTN10001")
    Shipment.objects.filter(id=shipment.id).update(status=Shipment.Status.RETURNED)
    shipment.refresh_from_db()
    claim_follow_shipment(shipment_id=shipment.id)
    return shipment


@pytest.fixture
def returned_claim(user, other_user, tea):
    gift = paid_gift(sender=user, variant=tea, quantity=2)
    claim = claim_accept(gift=gift, user=other_user, address_id=AddressFactory(user=other_user).id)
    came_back(claim.shipment)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RETURNED
    return claim


def _told(user, outcome):
    return Notice.objects.filter(user=user, kind="parcel_return_resolved", params__outcome=outcome).exists()


def test_the_sender_hears_that_the_parcel_came_back(returned_claim, user):
    notice = Notice.objects.get(user=user, kind="parcel_returned")
    assert notice.params["role"] == "sender"


def test_shipping_it_again_makes_a_new_parcel_to_the_same_address_once(returned_claim, user, other_user, tea):
    old = returned_claim.shipment
    merchant = member_of(old)

    assert shipment_resolve_return(shipment=old, actor=merchant, action="resend") == "resent"

    returned_claim.refresh_from_db()
    again = returned_claim.shipment
    assert again.id != old.id and again.resent_from_id == old.id and again.status == Shipment.Status.PENDING
    assert (again.ship_to_street, again.lines, again.is_gift) == (old.ship_to_street, old.lines, old.is_gift)
    assert returned_claim.status == Claim.Status.ACCEPTED
    assert _told(user, "resent") and _told(other_user, "resent")
    assert not Refund.objects.exists()
    for action in ("resend", "refund"):
        with pytest.raises(ReturnAlreadyResolved):
            shipment_resolve_return(shipment=old, actor=merchant, action=action)
    assert Shipment.objects.filter(resent_from=old).count() == 1


def test_refunding_it_gives_the_units_back_and_the_sender_the_price_paid(returned_claim, user, other_user, tea):
    shipment = returned_claim.shipment
    tea.refresh_from_db()
    stock_before = tea.stock

    assert shipment_resolve_return(shipment=shipment, actor=member_of(shipment), action="refund") == "refunded"
    drain_outbox()

    returned_claim.refresh_from_db()
    tea.refresh_from_db()
    refund = Refund.objects.get()
    assert returned_claim.status == Claim.Status.REFUNDED and tea.stock == stock_before + 2
    assert (refund.reason, refund.amount_minor, refund.status) == (Refund.Reason.RETURNED, 2 * PRICE, "succeeded")
    assert _told(user, "refunded") and _told(other_user, "refunded")
    assert Notice.objects.filter(user=user, kind="gift_refunded", params__reason="returned").exists()
    assert not Notice.objects.filter(user=other_user, kind="gift_refunded").exists()  # no amount to the friend
    with pytest.raises(ReturnAlreadyResolved):
        shipment_resolve_return(shipment=shipment, actor=member_of(shipment), action="resend")


def test_only_a_returned_parcel_of_your_store_and_a_known_action(returned_claim, user, tea):
    shipment = returned_claim.shipment
    with pytest.raises(NotFound):
        shipment_resolve_return(shipment=shipment, actor=user, action="refund")  # the sender is no member
    with pytest.raises(Exception) as bad:
        shipment_resolve_return(shipment=shipment, actor=member_of(shipment), action="burn")
    assert getattr(bad.value, "code", "") == "invalid"
    pending = claim_accept(gift=paid_gift(sender=user, variant=tea), user=UserFactory(),
                           address_id=None, address={"recipient_name": "Fay", "phone": "13900000000",
                                                     "country": "CN", "region": "Zhejiang", "city": "Hangzhou",
                                                     "street": "1 Lake Road"}).shipment
    with pytest.raises(ParcelNotReturned):
        shipment_resolve_return(shipment=pending, actor=member_of(pending), action="resend")


def test_a_returned_purchase_is_shipped_again_or_refunded_and_its_buyer_told(tea):
    buyer = UserFactory()
    address = AddressFactory(user=buyer)
    orders = []
    for _ in range(2):
        order = order_create_purchase(buyer=buyer, variant_id=tea.id, quantity=1, address_id=address.id)
        pay(order)
        order.refresh_from_db()
        came_back(order.shipment)
        orders.append(order)
    resent, refunded = orders

    assert shipment_resolve_return(shipment=resent.shipment, actor=member_of(tea), action="resend") == "resent"
    assert shipment_resolve_return(shipment=refunded.shipment, actor=member_of(tea), action="refund") == "refunded"
    drain_outbox()

    resent.refresh_from_db()
    assert resent.shipment.status == Shipment.Status.PENDING and resent.shipment.resent_from_id
    refund = Refund.objects.get()
    assert (refund.reason, refund.amount_minor) == (Refund.Reason.RETURNED, PRICE)
    assert _told(buyer, "resent") and _told(buyer, "refunded")
    with pytest.raises(ReturnAlreadyResolved):
        shipment_resolve_return(shipment=refunded.shipment, actor=member_of(tea), action="resend")


def test_the_console_offers_both_ways_on_a_returned_parcel_only(client, returned_claim):
    shipment = returned_claim.shipment
    client.force_login(member_of(shipment))

    page = client.get(reverse("shipping:detail", kwargs={"shipment_id": shipment.id})).content.decode()
    assert 'value="resend"' in page and 'value="refund"' in page

    done = client.post(reverse("merchant_refunds:resolve_return", kwargs={"shipment_id": shipment.id}),
                       {"action": "resend"}, follow=True)
    assert done.status_code == 200 and "back in your queue" in done.content.decode()
    again = Shipment.objects.get(resent_from=shipment)
    assert done.redirect_chain[-1][0] == reverse("shipping:detail", kwargs={"shipment_id": again.id})
    old_page = client.get(reverse("shipping:detail", kwargs={"shipment_id": shipment.id})).content.decode()
    assert 'value="resend"' not in old_page


def test_someone_else_s_returned_parcel_is_a_404_in_the_console(client, returned_claim, user):
    client.force_login(user)
    response = client.post(
        reverse("merchant_refunds:resolve_return", kwargs={"shipment_id": returned_claim.shipment_id}),
        {"action": "refund"},
    )
    assert response.status_code == 404
    returned_claim.refresh_from_db()
    assert returned_claim.status == Claim.Status.RETURNED


def test_the_api_resolves_a_return_as_the_console_does(returned_claim, user):
    from tests.conftest import api_client_for

    shipment = returned_claim.shipment
    url = f"/api/v1/merchant/shipments/{shipment.id}/return/"

    assert api_client_for(user).post(url, {"action": "refund"}, format="json").status_code == 404  # the sender
    bad = api_client_for(member_of(shipment)).post(url, {"action": "burn"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    done = api_client_for(member_of(shipment)).post(url, {"action": "resend"}, format="json")
    again = api_client_for(member_of(shipment)).post(url, {"action": "refund"}, format="json")

    assert done.status_code == 200
    assert done.json() == {"outcome": "resent", "shipment_id": Shipment.objects.get(resent_from=shipment).id}
    assert again.status_code == 409 and again.json()["code"] == "return_already_resolved"


def test_a_merchant_faster_than_the_parcel_s_news_still_has_the_sender_told_it_came_back(user, other_user, tea):
    """The shipment says returned, the claim has not heard yet (the outbox has not relayed it)."""
    gift = paid_gift(sender=user, variant=tea)
    claim = claim_accept(gift=gift, user=other_user, address_id=AddressFactory(user=other_user).id)
    shipment = claim.shipment
    shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number="RTN10002")
    Shipment.objects.filter(id=shipment.id).update(status=Shipment.Status.RETURNED)
    shipment.refresh_from_db()

    shipment_resolve_return(shipment=shipment, actor=member_of(shipment), action="resend")
    claim_follow_shipment(shipment_id=shipment.id)  # the late news changes nothing more

    assert Notice.objects.filter(user=user, kind="parcel_returned").count() == 1
    assert _told(user, "resent") and _told(other_user, "resent")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ACCEPTED and claim.shipment.resent_from_id == shipment.id
