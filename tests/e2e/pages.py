"""The pages the measuring browser tests visit (accessibility, weight, screenshots): one data set,
built with the real services, that puts a card page in every state of gifts.selectors.gifts.card_state,
plus the product page, the composer, the sender's "my gift" page, every tab of Orders & Cards and the
console's shipment pages and a parcel's payment. `build_pages()` returns them in a fixed order, each
with the user who sees it; `open_page()` opens one in a phone context signed in as that user, in the
language asked for.
"""

import io
import random
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.functions import Now
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from gifts.models import Claim, Gift
from gifts.selectors.gifts import card_state, claim_for
from gifts.selectors.wallet import TABS
from gifts.services.claims import claim_accept, claim_decline, claim_enter
from gifts.services.lifecycle import gift_cancel, gifts_draw_due, gifts_expire_due
from gifts.tokens import gift_share_url
from stores.services import product_image_add
from tests.factories import AddressFactory, ProductFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift

LANGUAGES = ("en", "zh-hans")

# Every card_state, and who sees it. "accept" is a friend with a saved address (one tap); "guest"
# is the same open card seen by a visitor with no session (card_state "login").
CARD_STATES = (
    "accept", "guest", "won", "enter", "entered", "lost", "accepted", "refunded", "mine", "claimed",
    "draw_over", "cancelled", "declined", "expired",
)


@dataclass(frozen=True)
class Page:
    name: str  # file-name safe: card-accept, product, me-received, console-queue...
    path: str
    user: object | None  # None: a visitor with no session
    gift: Gift | None = None
    state: str | None = None  # the card_state this card page must be in


def photo_bytes(size=(1200, 900), seed=7) -> bytes:
    """A photo-like JPEG (gradients, shapes and grain, so it compresses like a real photo and not
    like a flat colour): the product images' renditions and the card's cover are then as heavy as
    a shop's real ones."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=(180 - y * 120 // height, 120 + y * 60 // height, 90 + y * 100 // height))
    for _ in range(40):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(20, 200)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    noise = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _lottery(sender, variant, quantity=1):
    return paid_gift(sender=sender, variant=variant, mode="group", claim_rule="lottery", quantity=quantity,
                     claim_hours=48, draw_at=timezone.now() + timedelta(hours=2), message="Good luck, everyone!")


def card_path(gift) -> str:
    return urlsplit(gift_share_url(gift=gift)).path


def build_pages() -> list[Page]:
    """Make the data set (the database must be empty: a transactional_db test) and return its pages."""
    sam = UserFactory(username="sam", display_name="Sam")
    fay = UserFactory(username="fay", display_name="Fay")
    AddressFactory(user=fay, is_default=True, street="1 Home Road", recipient_name="Fay Wong", phone="13912345678")
    bob = UserFactory(username="bob", display_name="Bob")
    # the draw picks fay or bob at random: both have a saved address, so "won" looks the same either way
    AddressFactory(user=bob, is_default=True, street="9 Lake View", recipient_name="Bob Li", phone="13800001111")
    lee = UserFactory(username="lee", display_name="Lee")  # signed in, no claim: the latecomer
    mei = UserFactory(username="mei", display_name="Mei")
    store = StoreFactory(name="Tea House", slug="tea-house", owner=mei)
    product = ProductFactory(store=store, title="Jade teapot", description="A hand-thrown teapot in celadon glaze.")
    product_image_add(
        product=product, actor=member_of(product),
        upload=SimpleUploadedFile("teapot.jpg", photo_bytes(), "image/jpeg"),
    )
    variant = VariantFactory(product=product, name="Green", price_minor=12345, stock=100)
    VariantFactory(product=product, name="White", price_minor=12345, stock=100)

    single = dict(sender=sam, variant=variant, message="Happy birthday, Fay!")
    open_gift = paid_gift(**single)
    accepted = paid_gift(**single)
    claim = claim_accept(gift=accepted, user=fay, address_id=fay.addresses.get().id)
    cancelled = paid_gift(**single)
    gift_cancel(gift=cancelled, actor=sam)
    declined = paid_gift(**single)
    claim_decline(gift=declined, user=fay)
    expired = paid_gift(**single)

    entered = _lottery(sam, variant)
    claim_enter(gift=entered, user=fay)
    drawn = _lottery(sam, variant)
    claim_enter(gift=drawn, user=fay)
    claim_enter(gift=drawn, user=bob)
    refunded = _lottery(sam, variant)
    claim_enter(gift=refunded, user=fay)
    Gift.objects.filter(id__in=[drawn.id, refunded.id]).update(draw_at=Now())
    assert gifts_draw_due() == 2
    Gift.objects.filter(id__in=[expired.id, refunded.id]).update(expires_at=Now())
    gifts_expire_due()
    drain_outbox()
    winner = Claim.objects.get(gift=drawn, status=Claim.Status.WON).recipient
    loser = Claim.objects.get(gift=drawn, status=Claim.Status.LOST).recipient

    cards = {
        "accept": (open_gift, fay), "guest": (open_gift, None), "mine": (open_gift, sam),
        "accepted": (accepted, fay), "claimed": (accepted, lee),
        "enter": (entered, lee), "entered": (entered, fay),
        "won": (drawn, winner), "lost": (drawn, loser), "draw_over": (drawn, lee),
        "refunded": (refunded, fay), "cancelled": (cancelled, fay), "declined": (declined, fay),
        "expired": (expired, fay),
    }
    pages = []
    for state in CARD_STATES:
        gift, user = cards[state]
        gift.refresh_from_db()
        pages.append(Page(f"card-{state}", card_path(gift), user, gift, "login" if state == "guest" else state))
    tab_user = {"received": fay, "sent": sam, "orders": sam, "addresses": fay, "notices": sam}
    pages += [
        Page("product", f"/s/{store.slug}/p/{product.id}/", None),
        Page("compose", f"/gifts/new/?variant={variant.id}", sam),
        Page("my-gift", f"/gifts/{open_gift.id}/", sam),
        Page("my-gift-accepted", f"/gifts/{accepted.id}/", sam),
        *(Page(f"me-{tab}", f"/me/?tab={tab}", tab_user[tab]) for tab in TABS),
        Page("console-queue", f"/merchant/s/{store.slug}/shipments/", mei),
        Page("console-shipment", f"/merchant/shipments/{claim.shipment.id}/", mei),
        Page("console-payment", f"/merchant/shipments/{claim.shipment.id}/payment/", mei),
    ]
    return pages


def check_states(pages) -> None:
    """The data set really puts every card page in the state it is named after."""
    for page in pages:
        if page.state is None:
            continue
        user = page.user or AnonymousUser()
        got = card_state(gift=page.gift, user=user, claim=claim_for(gift=page.gift, user=user))
        assert got == page.state, f"{page.name}: card_state is {got!r}, not {page.state!r}"


def session_cookie(user, base_url) -> dict:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


def sign_in(context, base_url, page: Page, language: str) -> None:
    """Sign the context in as the page's user (or out, for a visitor) and set its language."""
    context.clear_cookies()
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if page.user is not None:
        cookies.append(session_cookie(page.user, base_url))
    context.add_cookies(cookies)


def open_page(context, base_url, page: Page, language: str):
    """Sign in as the page's user, in the language asked for, and open the page; returns the
    Playwright page once it has loaded."""
    sign_in(context, base_url, page, language)
    tab = context.new_page()
    tab.goto(base_url + page.path, wait_until="load")
    return tab
