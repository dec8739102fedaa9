"""The sender's cancel and extend, held where mutation testing (`make mutate`, issue 8) found
them untested: the conditional update is the guard when the gift was read while open and closed
before the click; an extension moves this gift only, by 1 to 168 whole hours; a
cancelled gift refunds its unclaimed units under the one reference for that reason, and tells a
lottery's entries they lost."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.utils import timezone

from accounts.models import Notice
from gifts.errors import AlreadyExtended, GiftNotOpen
from gifts.models import Claim, Gift
from gifts.selectors.gifts import with_deadlines
from gifts.services.claims import claim_accept, claim_enter
from gifts.services.lifecycle import gift_cancel, gift_extend, gifts_draw_due, gifts_expire_due
from giftshop.errors import InvalidInput, NotFound
from orders.models import Refund
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender(db):
    return UserFactory(username="sam", display_name="Sam")


@pytest.fixture
def variant(db):
    return VariantFactory(price_minor=9900, stock=10)


def read_open(gift):
    """The gift as a page or an API call reads it, the database clock saying "open"."""
    read = with_deadlines(Gift.objects).get(id=gift.id)
    assert read.status == Gift.Status.OPEN and read.db_before_expiry
    return read


def test_a_cancel_after_the_window_closed_under_it_changes_nothing(sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    read = read_open(gift)
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))

    with pytest.raises(GiftNotOpen):
        gift_cancel(gift=read, actor=sender)

    assert Gift.objects.get(id=gift.id).status == Gift.Status.OPEN  # the expiry job's to close
    assert not Refund.objects.exists()


def test_a_cancel_closes_the_gift_and_refunds_the_unclaimed_units_once(sender, variant):
    gift = paid_gift(sender=sender, variant=variant, quantity=3, mode=Gift.Mode.GROUP)
    friend = UserFactory(username="fay")
    claim_accept(gift=Gift.objects.get(id=gift.id), user=friend,
                 address_id=AddressFactory(user=friend, is_default=True).id)

    gift_cancel(gift=Gift.objects.get(id=gift.id), actor=sender)

    cancelled = Gift.objects.get(id=gift.id)
    assert cancelled.status == Gift.Status.CANCELLED and cancelled.closed_at is not None
    payment = gift.order.payments.get()
    refund = Refund.objects.get(payment=payment)
    assert (refund.reason, refund.amount_minor) == (Refund.Reason.CANCELLED, 2 * 9900)
    assert refund.refund_ref == f"refund:{payment.id}:cancelled:unclaimed"  # one per reason, ever


def lottery(sender, variant):
    return paid_gift(sender=sender, variant=variant, quantity=1, mode=Gift.Mode.GROUP,
                     claim_rule=Gift.ClaimRule.LOTTERY, claim_hours=24, draw_at=timezone.now() + timedelta(hours=2))


def test_cancelling_a_lottery_tells_its_entries_they_lost_and_no_other_lotterys(sender, variant):
    gift, other = lottery(sender, variant), lottery(sender, variant)
    ann, ben = UserFactory(username="ann"), UserFactory(username="ben")
    for user in (ann, ben):
        claim_enter(gift=Gift.objects.get(id=gift.id), user=user)
    claim_enter(gift=Gift.objects.get(id=other.id), user=ann)

    gift_cancel(gift=Gift.objects.get(id=gift.id), actor=sender)

    assert set(Claim.objects.filter(gift=gift).values_list("status", flat=True)) == {Claim.Status.LOST}
    assert Claim.objects.get(gift=other).status == Claim.Status.ENTERED
    assert set(Notice.objects.filter(kind="lottery_lost").values_list("user__username", flat=True)) == {"ann", "ben"}


def test_the_expiry_job_closes_a_gift_with_its_time(sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))

    assert gifts_expire_due()["expired"] == 1

    expired = Gift.objects.get(id=gift.id)
    assert expired.status == Gift.Status.EXPIRED and expired.closed_at is not None


@pytest.mark.parametrize("hours", [0, 169, -1, True, False, "24", 1.5, None])
def test_an_extension_is_a_whole_number_of_hours_from_1_to_168(sender, variant, hours):
    gift = paid_gift(sender=sender, variant=variant)
    before = Gift.objects.get(id=gift.id).expires_at

    with pytest.raises(InvalidInput):
        gift_extend(gift=Gift.objects.get(id=gift.id), hours=hours, actor=sender)

    assert Gift.objects.get(id=gift.id).expires_at == before


@pytest.mark.parametrize("hours", [1, 168])
def test_an_extension_of_1_or_168_hours_moves_this_gift_only(sender, variant, hours):
    gift = paid_gift(sender=sender, variant=variant)
    other = paid_gift(sender=sender, variant=variant)
    before, other_before = Gift.objects.get(id=gift.id).expires_at, Gift.objects.get(id=other.id).expires_at

    extended = gift_extend(gift=Gift.objects.get(id=gift.id), hours=hours, actor=sender)

    assert extended.extended and extended.expires_at == before + timedelta(hours=hours)
    untouched = Gift.objects.get(id=other.id)
    assert (untouched.expires_at, untouched.extended) == (other_before, False)


@pytest.mark.parametrize("closed", ["cancelled", "expired"])
def test_an_extension_after_the_gift_closed_under_it_is_gift_not_open(sender, variant, closed):
    gift = paid_gift(sender=sender, variant=variant)
    read = read_open(gift)
    if closed == "cancelled":
        Gift.objects.filter(id=gift.id).update(status=Gift.Status.CANCELLED)
    else:
        Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))
    before = Gift.objects.get(id=gift.id).expires_at

    with pytest.raises(GiftNotOpen) as caught:
        gift_extend(gift=read, hours=24, actor=sender)

    assert not isinstance(caught.value, AlreadyExtended)
    after = Gift.objects.get(id=gift.id)
    assert (after.expires_at, after.extended) == (before, False)



def test_the_expiry_job_refunds_each_gifts_unclaimed_units_under_their_reference(sender, variant):
    gifts = [paid_gift(sender=sender, variant=variant, quantity=2, mode=Gift.Mode.GROUP) for _ in range(2)]
    friend = UserFactory(username="fay")
    claim_accept(gift=Gift.objects.get(id=gifts[0].id), user=friend,
                 address_id=AddressFactory(user=friend, is_default=True).id)
    Gift.objects.filter(id__in=[g.id for g in gifts]).update(expires_at=Now() - timedelta(seconds=1))

    assert gifts_expire_due()["expired"] == 2

    for gift, units in zip(gifts, (1, 2), strict=True):
        payment = gift.order.payments.get()
        refund = Refund.objects.get(payment=payment)
        assert (refund.amount_minor, refund.refund_ref) == (units * 9900, f"refund:{payment.id}:expired:unclaimed")


def drawn_lottery(sender, variant, entrants, quantity):
    gift = paid_gift(sender=sender, variant=variant, quantity=quantity, mode=Gift.Mode.GROUP,
                     claim_rule=Gift.ClaimRule.LOTTERY, claim_hours=24, draw_at=timezone.now() + timedelta(hours=2))
    for user in entrants:
        claim_enter(gift=Gift.objects.get(id=gift.id), user=user)
    Gift.objects.filter(id=gift.id).update(draw_at=Now() - timedelta(seconds=1))
    return gift


def test_a_draw_holds_one_unit_per_winner_and_touches_no_other_lottery(sender, variant):
    people = [UserFactory(username=f"p{i}") for i in range(3)]
    gift = drawn_lottery(sender, variant, people, quantity=2)
    later = lottery(sender, variant)  # its draw is two hours away

    assert gifts_draw_due() == 1

    drawn = Gift.objects.get(id=gift.id)
    assert (drawn.status, drawn.claimed_units) == (Gift.Status.CLAIMED, 2) and drawn.drawn_at is not None
    statuses = sorted(Claim.objects.filter(gift=gift).values_list("status", flat=True))
    assert statuses == [Claim.Status.LOST, Claim.Status.WON, Claim.Status.WON]
    assert Gift.objects.get(id=later.id).drawn_at is None
    assert not Refund.objects.exists()  # every prize has a winner


def test_a_draw_with_no_entries_expires_the_gift_and_refunds_every_prize(sender, variant):
    gift = drawn_lottery(sender, variant, [], quantity=2)

    gifts_draw_due()

    drawn = Gift.objects.get(id=gift.id)
    assert drawn.status == Gift.Status.EXPIRED and drawn.closed_at is not None
    payment = gift.order.payments.get()
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount_minor, refund.refund_ref) == (2 * 9900, f"refund:{payment.id}:lottery_unclaimed:unclaimed")
    assert Notice.objects.filter(user=sender, kind="gift_expired").exists()


def test_a_cancelled_lottery_is_not_drawn(sender, variant):
    gift = drawn_lottery(sender, variant, [UserFactory(username="ann")], quantity=1)
    Gift.objects.filter(id=gift.id).update(draw_at=timezone.now() + timedelta(hours=2))
    gift_cancel(gift=Gift.objects.get(id=gift.id), actor=sender)
    Gift.objects.filter(id=gift.id).update(draw_at=Now() - timedelta(seconds=1))

    assert gifts_draw_due() == 0

    cancelled = Gift.objects.get(id=gift.id)
    assert (cancelled.status, cancelled.drawn_at) == (Gift.Status.CANCELLED, None)


def test_each_winner_who_chose_no_address_is_refunded_their_prize(sender, variant):
    people = [UserFactory(username=f"w{i}") for i in range(2)]
    gift = drawn_lottery(sender, variant, people, quantity=2)
    gifts_draw_due()
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))

    assert gifts_expire_due()["winners_refunded"] == 2

    payment = gift.order.payments.get()
    claims = Claim.objects.filter(gift=gift).order_by("id")
    assert sorted(Refund.objects.filter(payment=payment).values_list("refund_ref", flat=True)) == sorted(
        f"refund:{payment.id}:lottery_unclaimed:{claim.id}" for claim in claims)
    assert {c.status for c in claims} == {Claim.Status.REFUNDED}


def test_only_the_sender_may_cancel(sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    stranger = UserFactory(username="stan")

    for actor in (stranger, None):
        with pytest.raises(NotFound):
            gift_cancel(gift=Gift.objects.get(id=gift.id), actor=actor)

    assert Gift.objects.get(id=gift.id).status == Gift.Status.OPEN
