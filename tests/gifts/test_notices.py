"""In-app notices: who is told what, when, once per event, in the reader's language.

Events are produced through the real services and jobs (claims, the sandbox payment provider, the
sandbox carrier, the expiry and draw jobs, refunds); then the job or the outbox consumer is run a
second time to show that nobody is told twice.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Notice
from accounts.notices import KINDS
from gifts.consumers import follow_shipment, tell_the_payer_and_the_store_about_a_refund
from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept, claim_decline, claim_thank
from gifts.services.lifecycle import gifts_draw_due, gifts_expire_due
from logistics.services.tracking import shipment_dispatch, shipments_sync_quiet
from orders.models import Refund
from orders.services.checkout import order_create_purchase
from orders.services.refunds import refund_request
from tests.factories import AddressFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift, pay

pytestmark = pytest.mark.django_db

STREET, PHONE, TRACKING = "9 Hidden Court", "13700007777", "DLV55501"


def later(steps):
    moment = timezone.now() + timedelta(seconds=settings.SANDBOX_CARRIER_STEP_SECONDS * steps + 1)
    return lambda: moment


def notices(user, kind=None):
    rows = Notice.objects.filter(user=user)
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.fixture
def sender():
    return UserFactory(display_name="Sender Sun")


@pytest.fixture
def friend():
    return UserFactory(display_name="Friend Fang")


@pytest.fixture
def tea():
    return VariantFactory(product__title="Oolong tin", price_minor=4321, stock=20)


@pytest.fixture
def friend_address(friend):
    return AddressFactory(user=friend, street=STREET, phone=PHONE, is_default=True)


@pytest.fixture
def accepted(sender, friend, tea, friend_address):
    gift = paid_gift(sender=sender, variant=tea, quantity=1, message="Enjoy")
    return claim_accept(gift=gift, user=friend, address_id=friend_address.id)


# --- the sender hears about friends --------------------------------------------------------------


def test_an_accepted_gift_tells_the_sender_who_accepted_it(sender, friend, accepted):
    told = notices(sender, "gift_claimed")

    assert len(told) == 1
    assert told[0].params["friend"] == "Friend Fang" and told[0].params["product"] == "Oolong tin"
    assert told[0].link == f"/gifts/{accepted.gift_id}/"
    assert notices(friend) == []  # the friend did it; nothing to tell them


def test_a_thank_you_tells_the_sender_once_even_if_the_note_is_edited(sender, friend, accepted):
    gift = Gift.objects.get(id=accepted.gift_id)

    claim_thank(gift=gift, user=friend, note="Thank you!")
    claim_thank(gift=gift, user=friend, note="Thank you so much!")

    told = notices(sender, "gift_thanked")
    assert len(told) == 1 and told[0].params["friend"] == "Friend Fang" and told[0].params["note"] == "Thank you!"


def test_a_declined_gift_tells_the_sender_then_the_refund_does(sender, friend, tea):
    gift = paid_gift(sender=sender, variant=tea, quantity=2)

    claim_decline(gift=gift, user=friend)
    drain_outbox()

    declined = notices(sender, "gift_declined")
    refunded = notices(sender, "gift_refunded")
    assert len(declined) == 1 and declined[0].params["friend"] == "Friend Fang"
    assert len(refunded) == 1
    assert refunded[0].params == {"amount": 2 * 4321, "currency": "CNY", "reason": "declined",
                                  "product": "Oolong tin"}
    assert notices(friend) == []  # a recipient never hears of an amount


def test_an_expired_gift_tells_the_sender_how_many_units_were_unclaimed_once(sender, friend, tea, friend_address):
    gift = paid_gift(sender=sender, variant=tea, quantity=3, mode="group")
    claim_accept(gift=gift, user=friend, address_id=friend_address.id)
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))

    first = gifts_expire_due()
    second = gifts_expire_due()
    drain_outbox()

    assert first["expired"] == 1 and second["expired"] == 0
    expired = notices(sender, "gift_expired")
    assert len(expired) == 1 and expired[0].params["units"] == 2
    refunded = notices(sender, "gift_refunded")
    assert len(refunded) == 1 and refunded[0].params["amount"] == 2 * 4321 and refunded[0].params["reason"] == "expired"


def test_the_refund_consumer_run_twice_tells_the_payer_once(sender, tea):
    gift = paid_gift(sender=sender, variant=tea, quantity=1)
    claim_decline(gift=gift, user=UserFactory())
    drain_outbox()
    refund = Refund.objects.get(payment__order=gift.order)

    tell_the_payer_and_the_store_about_a_refund({"refund_id": refund.id}, key="again")
    tell_the_payer_and_the_store_about_a_refund({"refund_id": refund.id}, key="and again")

    assert refund.status == Refund.Status.SUCCEEDED
    assert len(notices(sender, "gift_refunded")) == 1


def test_a_refunded_purchase_tells_its_buyer(tea):
    buyer = UserFactory()
    order = order_create_purchase(buyer=buyer, variant_id=tea.id, quantity=2, address_id=AddressFactory(user=buyer).id)
    payment = pay(order)

    refund_request(payment=payment, amount_minor=2 * 4321, reason=Refund.Reason.MERCHANT, scope=order.id)
    drain_outbox()

    told = notices(buyer, "order_refunded")
    assert len(told) == 1
    assert told[0].params == {"amount": 8642, "currency": "CNY", "reason": "merchant", "order_id": order.id}
    assert told[0].link == f"/orders/{order.id}/"


# --- lottery entrants ------------------------------------------------------------------------------


def test_the_draw_tells_winners_and_losers_once(sender, tea):
    gift = paid_gift(sender=sender, variant=tea, quantity=1, mode="group", claim_rule="lottery",
                     draw_at=timezone.now() + timedelta(hours=2))
    entrants = [UserFactory() for _ in range(3)]
    for entrant in entrants:
        claim_accept(gift=gift, user=entrant)
    Gift.objects.filter(id=gift.id).update(draw_at=Now() - timedelta(seconds=1))

    assert gifts_draw_due() == 1
    assert gifts_draw_due() == 0

    won = Notice.objects.filter(kind="lottery_won")
    lost = Notice.objects.filter(kind="lottery_lost")
    winner = Claim.objects.get(gift=gift, status=Claim.Status.WON).recipient
    assert [n.user for n in won] == [winner]
    assert sorted(n.user_id for n in lost) == sorted(e.id for e in entrants if e != winner)
    assert won[0].params == {"sender": "Sender Sun", "product": "Oolong tin"}
    assert "#claim-" in won[0].link and "/g/" not in won[0].link  # never a card token in a stored link


# --- parcels -----------------------------------------------------------------------------------------


def test_a_gift_parcel_tells_the_recipient_every_step_and_the_sender_only_the_milestones(sender, friend, accepted):
    shipment = accepted.shipment

    shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number=TRACKING)
    drain_outbox()
    shipments_sync_quiet(quiet_seconds=0, clock=later(2))
    drain_outbox()
    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    drain_outbox()

    recipient_kinds = sorted(n.kind for n in notices(friend))
    assert recipient_kinds == ["parcel_delivered", "parcel_out_for_delivery", "parcel_shipped"]
    assert all(n.link == f"/me/?tab=received#claim-{accepted.id}" for n in notices(friend))
    sender_parcel = [n for n in notices(sender) if n.kind.startswith("parcel_")]
    assert sorted(n.kind for n in sender_parcel) == ["parcel_delivered", "parcel_shipped"]
    for notice in sender_parcel:
        stored = f"{notice.params} {notice.link}"
        for secret in (STREET, PHONE, TRACKING, shipment.reference):
            assert secret not in stored
        assert notice.params["friend"] == "Friend Fang"


def test_the_parcel_consumer_run_again_tells_nobody_twice(sender, friend, accepted):
    shipment_dispatch(
        shipment=accepted.shipment, actor=member_of(accepted.shipment), carrier="sandbox", tracking_number=TRACKING
    )
    drain_outbox()
    before = Notice.objects.count()

    follow_shipment({"shipment_id": accepted.shipment_id, "status": "info_received"}, key="replayed")
    follow_shipment({"shipment_id": accepted.shipment_id, "status": "info_received"}, key="replayed")

    assert Notice.objects.count() == before
    assert len(notices(friend, "parcel_shipped")) == 1 and len(notices(sender, "parcel_shipped")) == 1


def test_a_purchase_parcel_tells_its_buyer_with_the_order_page(tea):
    buyer = UserFactory()
    order = order_create_purchase(buyer=buyer, variant_id=tea.id, quantity=1, address_id=AddressFactory(user=buyer).id)
    pay(order)
    order.refresh_from_db()

    shipment_dispatch(
        shipment=order.shipment, actor=member_of(order.shipment), carrier="sandbox", tracking_number="DLV60001"
    )
    drain_outbox()

    told = notices(buyer, "parcel_shipped")
    assert len(told) == 1 and told[0].link == f"/orders/{order.id}/" and told[0].params["product"] == "Oolong tin"


# --- rendering ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_its_own_sentence(kind, sender):
    notice = Notice.objects.create(
        user=sender, kind=kind, key=f"render:{kind}",
        params={"friend": "Fang", "product": "Tea", "units": 2, "amount": 1000, "currency": "CNY",
                "reason": "expired", "sender": "Sun", "note": "Thanks", "order_id": 7},
    )
    notice.refresh_from_db()

    html = render_to_string("accounts/_notice.html", {"notice": notice})

    assert "You have a new notice." not in html
    assert "Notice</span>" not in html  # each kind has its own badge


@pytest.mark.parametrize("role, says", [
    ("merchant", "Parcel SHP-1 (Tea) was not shipped by its promised time: ship it now."),
    ("sender", "The store has not shipped your gift (Tea) by its promised time. You can ask for a refund now."),
    ("buyer", "The store has not shipped your order 7 (Tea) by its promised time."),
])
def test_an_overdue_notice_speaks_to_each_role(role, says, sender):
    notice = Notice.objects.create(
        user=sender, kind="shipment_overdue", key=f"overdue:{role}",
        params={"role": role, "product": "Tea", "reference": "SHP-1", "order_id": 7, "refund_after_hours": 72},
    )
    notice.refresh_from_db()

    html = render_to_string("accounts/_notice.html", {"notice": notice})

    assert says in html and "If it is still not shipped 72 hours later, it is refunded automatically." in html


def test_a_notice_is_rendered_in_the_readers_language(client, friend, accepted):
    shipment_dispatch(
        shipment=accepted.shipment, actor=member_of(accepted.shipment), carrier="sandbox", tracking_number=TRACKING
    )
    drain_outbox()
    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    drain_outbox()
    client.force_login(friend)

    english = client.get("/me/?tab=notices").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get("/me/?tab=notices").content.decode()
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    by_header = client.get("/me/?tab=notices", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    def notices_part(page):
        return page[page.index('<ul class="list notices">'):]

    assert "delivered" in notices_part(english) and "已签收" not in notices_part(english)
    with translation.override("zh-hans"):
        delivered_in_chinese = translation.gettext("delivered")
    assert delivered_in_chinese == "已签收"
    assert "已签收" in notices_part(chinese) and "已签收" in notices_part(by_header)
    assert '<html lang="zh-hans">' in chinese
