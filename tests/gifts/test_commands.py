"""The operators' tools for gifts: the management commands (each runs its job once, now, and says
what it did; a second run finds nothing) and the Django admin (staff only, read-only statuses,
the revoke-link and cancel actions, constant queries)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept, claim_enter
from gifts.services.sending import gift_create, gift_revoke_link
from orders.models import Payment, Refund
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db


def run(name):
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue().strip()


# --- commands -----------------------------------------------------------------------------------

def test_expire_gifts_closes_due_gifts_refunds_them_once_and_says_so(user):
    variant = VariantFactory(stock=10, price_minor=500)
    due = paid_gift(sender=user, variant=variant, mode="group", quantity=3)
    friend = UserFactory()
    claim_accept(gift=due, user=friend, address_id=AddressFactory(user=friend).id)
    not_due = paid_gift(sender=user, variant=variant)
    Gift.objects.filter(id=due.id).update(expires_at=Now() - timedelta(seconds=1))

    first = run("expire_gifts")
    second = run("expire_gifts")
    drain_outbox()

    assert first == "expire_gifts: drew 0 lotteries, expired 1 gift, refunded 0 winners without an address"
    assert second == "expire_gifts: drew 0 lotteries, expired 0 gifts, refunded 0 winners without an address"
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert due.status == Gift.Status.EXPIRED and not_due.status == Gift.Status.OPEN
    payment = Payment.objects.get(order=due.order)
    assert payment.refunded_minor == 2 * 500 and Refund.objects.filter(payment=payment).count() == 1
    variant.refresh_from_db()
    assert variant.stock == 10 - 1 - 1  # one claimed unit of the group, the open single gift


def test_draw_lotteries_draws_only_due_lotteries(user):
    variant = VariantFactory(stock=10)
    soon = timezone.now() + timedelta(hours=1)
    due = paid_gift(sender=user, variant=variant, mode="group", claim_rule="lottery", quantity=1, draw_at=soon)
    later = paid_gift(sender=user, variant=variant, mode="group", claim_rule="lottery", quantity=1, draw_at=soon)
    entrants = [UserFactory() for _ in range(3)]
    for person in entrants:
        claim_enter(gift=due, user=person)
        claim_enter(gift=later, user=person)
    Gift.objects.filter(id=due.id).update(draw_at=Now() - timedelta(seconds=1))

    first = run("draw_lotteries")
    second = run("draw_lotteries")

    assert first == "draw_lotteries: drew 1 lottery" and second == "draw_lotteries: drew 0 lotteries"
    statuses = sorted(Claim.objects.filter(gift=due).values_list("status", flat=True))
    assert statuses == ["lost", "lost", "won"]
    assert set(Claim.objects.filter(gift=later).values_list("status", flat=True)) == {"entered"}


def test_send_gift_reminders_mails_each_sender_once_before_the_deadline(user):
    variant = VariantFactory(stock=10)
    closing = paid_gift(sender=user, variant=variant)
    paid_gift(sender=user, variant=variant)  # closes in 24 hours: not yet
    Gift.objects.filter(id=closing.id).update(expires_at=Now() + timedelta(minutes=90))
    mail.outbox.clear()

    first = run("send_gift_reminders")
    second = run("send_gift_reminders")
    drain_outbox()

    assert first == "send_gift_reminders: reminded 1 senders" and second == "send_gift_reminders: reminded 0 senders"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    closing.refresh_from_db()
    assert closing.reminded_at is not None


def test_render_cards_renders_what_is_missing(user):
    gift = paid_gift(sender=user, variant=VariantFactory())
    gift_revoke_link(gift=gift)  # the old QR held the old link: it is dropped until rendered again
    gift.refresh_from_db()
    assert not gift.qr_image

    first = run("render_cards")
    second = run("render_cards")

    gift.refresh_from_db()
    assert first == "render_cards: rendered 1 gifts" and second == "render_cards: rendered 0 gifts"
    assert gift.qr_image and gift.card_image


# --- admin --------------------------------------------------------------------------------------

@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _claimed_gift(sender):
    gift = paid_gift(sender=sender, variant=VariantFactory(stock=5), mode="group", quantity=2)
    friend = UserFactory()
    claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)
    return gift


def test_gift_admin_lists_and_shows_a_gift_with_its_claims(staff_client, user):
    gift = _claimed_gift(user)

    listing = staff_client.get("/admin/gifts/gift/")
    page = staff_client.get(f"/admin/gifts/gift/{gift.id}/change/")
    claims = staff_client.get("/admin/gifts/claim/")

    assert listing.status_code == page.status_code == claims.status_code == 200
    assert gift.token_hash in page.content.decode()  # shown, read-only
    assert 'name="token_hash"' not in page.content.decode() and 'name="status"' not in page.content.decode()
    assert "claims-0-recipient" not in page.content.decode()  # the inline is read-only too


def test_gift_admin_is_for_staff_only(client, user):
    client.force_login(user)

    assert client.get("/admin/gifts/gift/").status_code == 302
    assert client.get("/admin/gifts/claim/").status_code == 302


def test_gifts_cannot_be_added_or_deleted_in_the_admin(staff_client, user):
    gift = paid_gift(sender=user, variant=VariantFactory())

    assert staff_client.get("/admin/gifts/gift/add/").status_code == 403
    assert staff_client.get(f"/admin/gifts/gift/{gift.id}/delete/").status_code == 403


def test_the_revoke_link_action_changes_the_token(staff_client, user):
    gift = paid_gift(sender=user, variant=VariantFactory())
    old_hash = gift.token_hash

    response = staff_client.post("/admin/gifts/gift/", {"action": "revoke_link", "_selected_action": [gift.id]})

    gift.refresh_from_db()
    assert response.status_code == 302
    assert gift.token_hash != old_hash and gift.token_version == 2


def test_the_cancel_action_refunds_and_reports_gifts_it_could_not_cancel(staff_client, user):
    open_gift = paid_gift(sender=user, variant=VariantFactory(price_minor=700))
    unpaid = gift_create(sender=user, variant_id=VariantFactory().id)

    response = staff_client.post("/admin/gifts/gift/", {"action": "cancel_gift",
                                                        "_selected_action": [open_gift.id, unpaid.id]}, follow=True)
    drain_outbox()

    open_gift.refresh_from_db()
    assert open_gift.status == Gift.Status.CANCELLED
    assert Payment.objects.get(order=open_gift.order).refunded_minor == 700
    text = response.content.decode()
    assert "1 gift cancelled." in text and f"Gift {unpaid.id}:" in text


def test_gift_admin_lists_make_as_many_queries_for_20_rows_as_for_1(staff_client, user):
    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _claimed_gift(user)
    one = (count("/admin/gifts/gift/"), count("/admin/gifts/claim/"))
    for _ in range(19):
        _claimed_gift(user)
    twenty = (count("/admin/gifts/gift/"), count("/admin/gifts/claim/"))

    assert one == twenty, "the admin lists must join senders, variants and products, not query them per row"
