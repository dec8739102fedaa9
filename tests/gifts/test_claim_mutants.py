"""Claims' guards that mutation testing (`make mutate`, issue 8) found untested: a lottery winner's
address (only your own win, only before the window closes, the option switch moving one unit
between stocks, the parcel marked as a gift); who may thank (the claim's own recipient, on that
gift) and the note's bounds; a decline after the window closed under it; your claim on another
gift is not "already claimed" here."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.utils import timezone

from gifts.errors import AlreadyClaimed, DrawClosed, GiftExpired, GiftFullyClaimed, NotAWinner, NotClaimed
from gifts.models import Claim, Gift
from gifts.selectors.gifts import with_deadlines
from gifts.services.claims import claim_accept, claim_decline, claim_enter, claim_set_address, claim_thank
from gifts.services.lifecycle import gifts_draw_due
from giftshop.errors import InvalidInput
from logistics.models import Shipment
from orders.models import Refund
from stores.models import Variant
from tests.factories import AddressFactory, ProductFactory, UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift
from tests.orders.helpers import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender(db):
    return UserFactory(username="sam", display_name="Sam")


@pytest.fixture
def winner(db):
    friend = UserFactory(username="wendy", display_name="Wendy")
    AddressFactory(user=friend, is_default=True, street="7 Winner Road")
    return friend


@pytest.fixture
def product(db):
    return ProductFactory(title="Jade teapot")


@pytest.fixture
def red(product):
    return VariantFactory(product=product, name="Red", sku="JT-RED", price_minor=9900, stock=10)


@pytest.fixture
def green(product):
    """Another option of the same product at the same price: a recipient may switch to it."""
    return VariantFactory(product=product, name="Green", sku="JT-GREEN", price_minor=9900, stock=5)


def lottery(sender, variant, message="Good luck!"):
    return paid_gift(sender=sender, variant=variant, quantity=1, mode=Gift.Mode.GROUP,
                     claim_rule=Gift.ClaimRule.LOTTERY, claim_hours=24, message=message,
                     draw_at=timezone.now() + timedelta(hours=2))


def draw(gift):
    """The draw time comes (the test's clock) and the draw runs: the only entry wins."""
    Gift.objects.filter(id=gift.id).update(draw_at=Now() - timedelta(seconds=1))
    gifts_draw_due()
    return Gift.objects.get(id=gift.id)


def won(sender, variant, user, **gift):
    entered = lottery(sender, variant, **gift)
    claim_enter(gift=Gift.objects.get(id=entered.id), user=user)
    gift = draw(entered)
    assert Claim.objects.get(gift=gift, recipient=user).status == Claim.Status.WON
    return gift


def test_a_winner_switching_option_moves_one_unit_and_gets_a_gift_parcel(sender, winner, red, green):
    gift = won(sender, red, winner)
    address = winner.addresses.get()

    claim = claim_set_address(gift=gift, user=winner, address_id=address.id, variant_id=green.id)

    assert claim.status == Claim.Status.ACCEPTED and claim.variant_id == green.id
    assert Variant.objects.get(id=green.id).stock == 4  # the unit now comes from green
    assert Variant.objects.get(id=red.id).stock == 10  # the unit set aside from red is back on sale
    shipment = Shipment.objects.get(id=claim.shipment_id)
    assert [(line["sku"], line["quantity"]) for line in shipment.lines] == [("JT-GREEN", 1)]
    assert (shipment.is_gift, shipment.giver_name, shipment.gift_message) == (True, "Sam", "Good luck!")
    assert shipment.recipient == winner and shipment.ship_to_street == "7 Winner Road"


def test_a_winner_keeping_the_option_moves_no_stock(sender, winner, red, green):
    gift = won(sender, red, winner)

    claim = claim_set_address(gift=gift, user=winner, address_id=winner.addresses.get().id)

    assert claim.variant_id == red.id
    assert (Variant.objects.get(id=red.id).stock, Variant.objects.get(id=green.id).stock) == (9, 5)


def test_a_winner_may_type_a_new_address(sender, winner, red):
    gift = won(sender, red, winner)

    claim = claim_set_address(gift=gift, user=winner, address={**ADDRESS, "street": "9 Typed Street"})

    assert Shipment.objects.get(id=claim.shipment_id).ship_to_street == "9 Typed Street"


def test_a_win_on_one_gift_does_not_address_another(sender, winner, red, product):
    won(sender, red, winner)
    other = lottery(sender, VariantFactory(product=product, name="Blue", price_minor=9900))
    claim_enter(gift=Gift.objects.get(id=other.id), user=winner)  # entered, not drawn yet

    with pytest.raises(NotAWinner):
        claim_set_address(gift=Gift.objects.get(id=other.id), user=winner, address_id=winner.addresses.get().id)

    assert Claim.objects.get(gift=other, recipient=winner).status == Claim.Status.ENTERED
    assert not Shipment.objects.filter(recipient=winner).exists()


def test_a_winner_past_the_claim_window_cannot_choose_an_address(sender, winner, red, green):
    gift = won(sender, red, winner)
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))

    with pytest.raises(GiftExpired):
        claim_set_address(gift=Gift.objects.get(id=gift.id), user=winner, address_id=winner.addresses.get().id,
                          variant_id=green.id)

    assert Claim.objects.get(gift=gift, recipient=winner).status == Claim.Status.WON
    assert not Shipment.objects.exists()
    assert (Variant.objects.get(id=red.id).stock, Variant.objects.get(id=green.id).stock) == (9, 5)


def accepted(sender, variant, user):
    gift = paid_gift(sender=sender, variant=variant)
    claim_accept(gift=Gift.objects.get(id=gift.id), user=user, address_id=user.addresses.get().id)
    return Gift.objects.get(id=gift.id)


@pytest.mark.parametrize("note", [123, ["thanks"], {"note": "thanks"}, None, "", "   ", "x" * 201])
def test_a_note_must_be_text_of_1_to_200_characters(sender, winner, red, note):
    gift = accepted(sender, red, winner)

    with pytest.raises(InvalidInput):
        claim_thank(gift=gift, user=winner, note=note)

    assert Claim.objects.get(gift=gift, recipient=winner).thanked_at is None


def test_a_note_of_200_characters_is_a_thank_you(sender, winner, red):
    gift = accepted(sender, red, winner)

    claim = claim_thank(gift=gift, user=winner, note=" " + "x" * 200 + " ")

    stored = Claim.objects.get(id=claim.id)
    assert stored.thank_you_note == "x" * 200 and stored.thanked_at is not None


def test_only_the_recipient_of_a_claim_on_this_gift_may_thank(sender, winner, red, green):
    mine = accepted(sender, red, winner)
    other = paid_gift(sender=sender, variant=green)  # no claim of winner's
    stranger = UserFactory(username="stan")

    with pytest.raises(NotClaimed):
        claim_thank(gift=other, user=winner, note="Thanks!")
    with pytest.raises(NotClaimed):
        claim_thank(gift=mine, user=stranger, note="Thanks!")
    with pytest.raises(NotClaimed):
        claim_thank(gift=mine, user=sender, note="Thanks from myself")

    assert Claim.objects.get(gift=mine, recipient=winner).thank_you_note == ""
    assert not Claim.objects.exclude(thanked_at=None).exists()


def test_your_claim_on_another_gift_is_not_already_claimed_here(sender, winner, red, green):
    accepted(sender, red, winner)
    fay = UserFactory(username="fay")
    AddressFactory(user=fay, is_default=True)
    taken = accepted(sender, green, fay)
    AddressFactory(user=winner, street="2 Second Street")

    with pytest.raises(GiftFullyClaimed) as caught:
        claim_accept(gift=Gift.objects.get(id=taken.id), user=winner, address_id=winner.addresses.first().id)

    assert not isinstance(caught.value, AlreadyClaimed)


def test_a_decline_after_the_window_closed_under_it_changes_nothing(sender, winner, red):
    gift = paid_gift(sender=sender, variant=red)
    read = with_deadlines(Gift.objects).get(id=gift.id)
    assert read.db_before_expiry
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))

    with pytest.raises(GiftExpired):
        claim_decline(gift=read, user=winner)

    assert Gift.objects.get(id=gift.id).status == Gift.Status.OPEN  # the expiry job's to close
    assert not Refund.objects.exists()


def test_a_decline_refunds_the_whole_gift_under_the_one_reference_for_it(sender, winner, red):
    gift = paid_gift(sender=sender, variant=red, quantity=2)

    claim_decline(gift=Gift.objects.get(id=gift.id), user=winner)

    payment = gift.order.payments.get()
    refund = Refund.objects.get(payment=payment)
    assert (refund.reason, refund.amount_minor) == (Refund.Reason.DECLINED, 2 * 9900)
    assert refund.refund_ref == f"refund:{payment.id}:declined:unclaimed"
    assert Variant.objects.get(id=red.id).stock == 10


def test_an_option_with_exactly_the_units_a_claim_takes_may_be_chosen(sender, winner, red, product):
    exact = VariantFactory(product=product, name="Exact", sku="JT-EXACT", price_minor=9900, stock=2)
    gift = paid_gift(sender=sender, variant=red, quantity=2)

    claim = claim_accept(gift=Gift.objects.get(id=gift.id), user=winner, address_id=winner.addresses.get().id,
                         variant_id=exact.id)

    assert claim.variant_id == exact.id and claim.quantity == 2
    assert Variant.objects.get(id=exact.id).stock == 0


@pytest.mark.parametrize("closed", ["cancelled", "draw time"])
def test_an_entry_after_the_lottery_closed_under_it_is_refused(sender, winner, red, closed):
    gift = lottery(sender, red)
    read = with_deadlines(Gift.objects).get(id=gift.id)
    assert read.db_before_expiry and not read.db_draw_due
    if closed == "cancelled":
        Gift.objects.filter(id=gift.id).update(status=Gift.Status.CANCELLED)
    else:
        Gift.objects.filter(id=gift.id).update(draw_at=Now() - timedelta(seconds=1))

    with pytest.raises(DrawClosed):
        claim_enter(gift=read, user=winner)

    assert not Claim.objects.exists()
