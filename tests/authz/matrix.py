"""The authorization matrix: every route that takes an id, token, slug or reference in its path,
each method worth asking, and what each actor gets (tests/test_authz_matrix.py runs it).

A row names the route as the URL resolver spells it (so the completeness test can tell a route
that is missing), builds its path from the world (tests/authz/world.py), says who owns the object
("owner" in the test ids) and, for each actor, the status expected. Beyond the status, every answer
is searched by the rules in tests/test_authz_matrix.py (addresses, prices, other stores); a row adds
what must be there for whom (`see`), and whether nobody may see a price in it (`no_price`).

Actors: anonymous, sender (also a buyer), recipient, other_user, store_staff and store_owner (of
"jade", the store of every object here), other_store_owner (of "elsewhere"), platform_staff
(is_staff, a member of no store: support works in the Django admin, so through the site and the
API they are a stranger like any other; the admin is outside this matrix).

Statuses: the API answers 401 to anonymous callers and 404 (never 403) to anyone whose object it is
not (API.md); 403 only where the object can be seen but the act is the owners' (a store's staff on
owners-only routes). Pages send anonymous visitors to log in (302) and otherwise answer like the
API. A 409 (or a 400, or a page's message) for the owner means "through the door, refused by the
object's state or by the id in the body", which is all a row needs to show; such rows say
`moves=False`, and pages that refuse with their ordinary answer name the refused in `refused`.
"""

import dataclasses
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.world import ACTORS, OTHER_STORE_STREET, SENDER_STREET, STREET, TRACKING
from tests.conftest import make_image_bytes

MEMBERS = ("store_owner", "store_staff")
ADDRESS = {"recipient_name": "Matrix", "phone": "13600003333", "country": "CN", "region": "Shanghai",
           "city": "Shanghai", "street": "1 Matrix Way"}


@dataclasses.dataclass(frozen=True)
class Row:
    label: str  # the method and path as a reader writes them: "GET /api/v1/orders/{id}"
    route: str  # the resolver's route (ResolverMatch.route)
    path: Callable  # world -> the path
    expect: dict  # actor -> status
    owner: str | None = None  # the actor the object belongs to; None: a store's (its owner and staff)
    data: Callable | None = None  # world -> the body
    fmt: str = "json"  # json, form (a page's POST) or multipart
    see: dict = dataclasses.field(default_factory=dict)  # actor -> texts that must be in a 2xx answer
    no_price: bool = False  # no price, in any form, for anyone (the card, the recipient's views, slips)
    sender_blind: bool = False  # a gift's sender's view: no address, phone or tracking fields at all
    public_link: bool = False  # a page anyone may open (a 302 is its answer, not a "log in first")
    moves: bool = True  # whether the owner's success changes something (False: refused by the state)
    refused: tuple = ()  # actors refused with a page's ordinary answer (a form again, a message)

    @property
    def method(self):
        return self.label.split(" ", 1)[0]

    @property
    def is_api(self):
        return self.route.startswith("api/")

    @property
    def login_gated(self):
        """A page that sends anonymous visitors to log in (and answers signed-in users otherwise)."""
        return not self.is_api and not self.public_link and self.expect["anonymous"] == 302


def statuses(default, **by_actor):
    return {actor: by_actor.get(actor, default) for actor in ACTORS}


def own(owner, ok, *, api=True, **more):
    """Only `owner`'s: everyone else gets a 404."""
    return statuses(404, anonymous=401 if api else 302, **{owner: ok}, **more)


def members(ok, *, api=True, **more):
    """The store's owner and staff."""
    return statuses(404, anonymous=401 if api else 302, store_owner=ok, store_staff=ok, **more)


def owners(ok, *, api=True):
    """The store's owners; its staff can see the store, so they get a 403."""
    return statuses(404, anonymous=401 if api else 302, store_owner=ok, store_staff=403)


def public(ok=200):
    return statuses(ok)


def for_members(*texts):
    return {actor: texts for actor in MEMBERS}


def _image():
    return {"image": SimpleUploadedFile("m.jpg", make_image_bytes(), content_type="image/jpeg")}


def _photos():
    return {"photos": SimpleUploadedFile("m.jpg", make_image_bytes(), content_type="image/jpeg")}


def _address_form():
    return {**ADDRESS, "street": "2 Edited Street"}


API = "api/v1/"
ME_ADDRESS = f"{API}me/addresses/<str:address_id>/"
M_STORE = f"{API}merchant/stores/<slug:slug>/"
M_PRODUCT = f"{API}merchant/products/<int:product_id>/"
M_WEBHOOK = f"{API}merchant/webhooks/<int:endpoint_id>/"
GIFT = f"{API}gifts/<int:gift_id>/"
CLAIM = API + "claims/(?P<token>[^/]*)/"


def _addr(w):
    return f"/api/v1/me/addresses/{w.recipient_address.id}/"


def _gift(w, tail=""):
    return f"/api/v1/gifts/{w.gift.id}/{tail}"


def _open_gift(w, tail=""):
    return f"/api/v1/gifts/{w.open_gift.id}/{tail}"


API_ROWS = [
    # --- the address book: the recipient's address is the recipient's alone ----------------------
    Row("GET /api/v1/me/addresses/{id}", ME_ADDRESS, _addr, own("recipient", 200), owner="recipient",
        see={"recipient": (STREET,)}),
    Row("PATCH /api/v1/me/addresses/{id}", ME_ADDRESS, _addr, own("recipient", 200), owner="recipient",
        data=lambda w: {"city": "Suzhou"}),
    Row("DELETE /api/v1/me/addresses/{id}", ME_ADDRESS, _addr, own("recipient", 204), owner="recipient"),
    # --- the catalog: public, and nothing of anybody's in it ---------------------------------------
    Row("GET /api/v1/stores/{slug}", f"{API}stores/<slug:slug>/", lambda w: f"/api/v1/stores/{w.store.slug}/",
        public(), see={"anonymous": ("Jade House",)}),
    Row("GET /api/v1/products/{id}", f"{API}products/<int:product_id>/",
        lambda w: f"/api/v1/products/{w.product.id}/", public(), see={"anonymous": ("Jade tea set",)}),
    # --- the merchant: stores and teams ---------------------------------------------------------
    Row("GET /api/v1/merchant/stores/{slug}", M_STORE, lambda w: "/api/v1/merchant/stores/jade/", members(200),
        see=for_members("Jade House")),
    Row("PATCH /api/v1/merchant/stores/{slug}", M_STORE, lambda w: "/api/v1/merchant/stores/jade/", owners(200),
        data=lambda w: {"description": "New words"}),
    Row("GET /api/v1/merchant/stores/{slug}/members", f"{M_STORE}members/",
        lambda w: "/api/v1/merchant/stores/jade/members/", owners(200), see={"store_owner": ("storestaff",)}),
    Row("POST /api/v1/merchant/stores/{slug}/members", f"{M_STORE}members/",
        lambda w: "/api/v1/merchant/stores/jade/members/", owners(201),
        data=lambda w: {"username": "otheruser", "role": "staff"}),
    Row("DELETE /api/v1/merchant/stores/{slug}/members/{member_id}", f"{M_STORE}members/<int:member_id>/",
        lambda w: f"/api/v1/merchant/stores/jade/members/{w.staff_member.id}/", owners(204)),
    # --- the merchant: products, variants, photos -------------------------------------------------
    Row("GET /api/v1/merchant/stores/{slug}/products", f"{M_STORE}products/",
        lambda w: "/api/v1/merchant/stores/jade/products/", members(200), see=for_members("Jade tea set")),
    Row("POST /api/v1/merchant/stores/{slug}/products", f"{M_STORE}products/",
        lambda w: "/api/v1/merchant/stores/jade/products/", members(201),
        data=lambda w: {"title": "Matrix cup", "description": "", "giftable": True,
                        "variants": [{"name": "One", "sku": "MX-1", "price_minor": 100, "stock": 1}]}),
    Row("GET /api/v1/merchant/products/{id}", M_PRODUCT, lambda w: f"/api/v1/merchant/products/{w.product.id}/",
        members(200), see=for_members("JADE-1")),
    Row("PATCH /api/v1/merchant/products/{id}", M_PRODUCT, lambda w: f"/api/v1/merchant/products/{w.product.id}/",
        members(200), data=lambda w: {"title": "Jade tea set II"}),
    Row("POST /api/v1/merchant/products/{id}/variants", f"{M_PRODUCT}variants/",
        lambda w: f"/api/v1/merchant/products/{w.product.id}/variants/", members(201),
        data=lambda w: {"name": "Red glaze", "sku": "JADE-RED", "price_minor": 100, "stock": 1}),
    Row("PATCH /api/v1/merchant/variants/{id}", f"{API}merchant/variants/<int:variant_id>/",
        lambda w: f"/api/v1/merchant/variants/{w.variant.id}/", members(200), data=lambda w: {"stock": 7}),
    Row("DELETE /api/v1/merchant/variants/{id}", f"{API}merchant/variants/<int:variant_id>/",
        lambda w: f"/api/v1/merchant/variants/{w.spare_variant.id}/", members(204)),
    Row("POST /api/v1/merchant/products/{id}/images", f"{M_PRODUCT}images/",
        lambda w: f"/api/v1/merchant/products/{w.product.id}/images/", members(201), data=lambda w: _image(),
        fmt="multipart"),
    Row("POST /api/v1/merchant/products/{id}/images/reorder", f"{M_PRODUCT}images/reorder/",
        lambda w: f"/api/v1/merchant/products/{w.product.id}/images/reorder/", members(200),
        data=lambda w: {"image_ids": [w.image.id]}),
    Row("DELETE /api/v1/merchant/images/{id}", f"{API}merchant/images/<int:image_id>/",
        lambda w: f"/api/v1/merchant/images/{w.image.id}/", members(204)),
    # --- the merchant: webhooks (owners only) ------------------------------------------------------
    Row("GET /api/v1/merchant/stores/{slug}/webhooks", f"{M_STORE}webhooks/",
        lambda w: "/api/v1/merchant/stores/jade/webhooks/", owners(200), see={"store_owner": ("93.184.216.34",)}),
    Row("POST /api/v1/merchant/stores/{slug}/webhooks", f"{M_STORE}webhooks/",
        lambda w: "/api/v1/merchant/stores/jade/webhooks/", owners(201),
        data=lambda w: {"url": "https://93.184.216.35/in", "events": ["gift.expired"]}),
    Row("GET /api/v1/merchant/webhooks/{id}", M_WEBHOOK, lambda w: f"/api/v1/merchant/webhooks/{w.endpoint.id}/",
        owners(200)),
    Row("PATCH /api/v1/merchant/webhooks/{id}", M_WEBHOOK, lambda w: f"/api/v1/merchant/webhooks/{w.endpoint.id}/",
        owners(200), data=lambda w: {"is_active": False}),
    Row("DELETE /api/v1/merchant/webhooks/{id}", M_WEBHOOK, lambda w: f"/api/v1/merchant/webhooks/{w.endpoint.id}/",
        owners(204)),
    Row("POST /api/v1/merchant/webhooks/{id}/rotate-secret", f"{M_WEBHOOK}rotate-secret/",
        lambda w: f"/api/v1/merchant/webhooks/{w.endpoint.id}/rotate-secret/", owners(200),
        see={"store_owner": ("whsec_",)}),
    Row("GET /api/v1/merchant/webhooks/{id}/deliveries", f"{M_WEBHOOK}deliveries/",
        lambda w: f"/api/v1/merchant/webhooks/{w.endpoint.id}/deliveries/", owners(200),
        see={"store_owner": ("msg_1",)}),
    Row("POST /api/v1/merchant/webhook-deliveries/{id}/resend",
        f"{API}merchant/webhook-deliveries/<int:delivery_id>/resend/",
        lambda w: f"/api/v1/merchant/webhook-deliveries/{w.delivery.id}/resend/", owners(202)),
    # --- orders and payments: the buyer's ------------------------------------------------------------
    Row("GET /api/v1/orders/{id}", f"{API}orders/<int:order_id>/", lambda w: f"/api/v1/orders/{w.order.id}/",
        own("sender", 200), owner="sender", see={"sender": ("total_minor", "Jade tea set")}),
    Row("GET /api/v1/payments/{id}", f"{API}payments/<int:payment_id>/",
        lambda w: f"/api/v1/payments/{w.payment.id}/", own("sender", 200), owner="sender",
        see={"sender": ("amount_minor",)}),
    Row("POST /api/v1/payments/{id}/sandbox", f"{API}payments/<int:payment_id>/sandbox/",
        lambda w: f"/api/v1/payments/{w.payment.id}/sandbox/", own("sender", 202), owner="sender",
        data=lambda w: {"outcome": "failed"}, moves=False),  # it is paid already: the sandbox ignores it
    # --- shipments: the recipient's, and the store's ----------------------------------------------
    Row("GET /api/v1/merchant/stores/{slug}/shipments", f"{M_STORE}shipments/",
        lambda w: "/api/v1/merchant/stores/jade/shipments/?status=all", members(200),
        see=for_members(STREET, SENDER_STREET), no_price=True),
    Row("POST /api/v1/merchant/shipments/{id}/dispatch", f"{API}merchant/shipments/<str:shipment_id>/dispatch/",
        lambda w: f"/api/v1/merchant/shipments/{w.purchase_shipment.id}/dispatch/", members(200),
        data=lambda w: {"carrier": "sandbox", "tracking_number": "DLV-MATRIX-1"}),
    Row("POST /api/v1/merchant/shipments/{id}/return", f"{API}merchant/shipments/<str:shipment_id>/return/",
        lambda w: f"/api/v1/merchant/shipments/{w.shipment.id}/return/", members(409),
        data=lambda w: {"action": "refund"}),
    Row("GET /api/v1/shipments/{id}", f"{API}shipments/<str:shipment_id>/",
        lambda w: f"/api/v1/shipments/{w.shipment.id}/", members(200, recipient=200), owner="recipient",
        see={"recipient": (STREET, TRACKING), **for_members(STREET, TRACKING)}, no_price=True),
    Row("GET /api/v1/shipments/{id} (a purchase)", f"{API}shipments/<str:shipment_id>/",
        lambda w: f"/api/v1/shipments/{w.purchase_shipment.id}/", members(200, sender=200), owner="sender",
        see={"sender": (SENDER_STREET,), **for_members(SENDER_STREET)}),
    # --- gifts: the sender's -----------------------------------------------------------------------
    Row("GET /api/v1/gifts/{id}", GIFT, _gift, own("sender", 200), owner="sender",
        see={"sender": ("share_url", "Recipient", "Thank you so much!")}, sender_blind=True),
    Row("POST /api/v1/gifts/{id}/cancel", f"{GIFT}cancel/", lambda w: _open_gift(w, "cancel/"),
        own("sender", 200), owner="sender", sender_blind=True),
    Row("POST /api/v1/gifts/{id}/extend", f"{GIFT}extend/", lambda w: _open_gift(w, "extend/"),
        own("sender", 200), owner="sender", data=lambda w: {"hours": 5}, sender_blind=True),
    Row("POST /api/v1/gifts/{id}/refund-request", f"{GIFT}refund-request/", lambda w: _gift(w, "refund-request/"),
        own("sender", 409), owner="sender", data=lambda w: {"claim_id": w.claim.id}, sender_blind=True),
    Row("POST /api/v1/gifts/{id}/revoke-link", f"{GIFT}revoke-link/", lambda w: _open_gift(w, "revoke-link/"),
        own("sender", 200), owner="sender", sender_blind=True),
    Row("POST /api/v1/gifts/{id}/email", f"{GIFT}email/", lambda w: _open_gift(w, "email/"),
        own("sender", 200), owner="sender", data=lambda w: {"email": "friend@example.com"}, sender_blind=True),
    # --- claims: whoever holds the card's link ---------------------------------------------------------
    Row("GET /api/v1/claims/{token}", f"{CLAIM}$", lambda w: f"/api/v1/claims/{w.token}/", public(),
        owner="recipient", see={"recipient": ("Thank you so much!",), "anonymous": ("For you, Rita",)},
        no_price=True, sender_blind=True),
    Row("POST /api/v1/claims/{token}", f"{CLAIM}$", lambda w: f"/api/v1/claims/{w.open_token}/",
        statuses(201, anonymous=401, sender=403), data=lambda w: {"address": ADDRESS}, no_price=True,
        sender_blind=True),
    Row("POST /api/v1/claims/{token}/address", f"{CLAIM}address/$", lambda w: f"/api/v1/claims/{w.token}/address/",
        statuses(409, anonymous=401), owner="recipient", data=lambda w: {"address": ADDRESS}, no_price=True,
        sender_blind=True),
    Row("POST /api/v1/claims/{token}/decline", f"{CLAIM}decline/$",
        lambda w: f"/api/v1/claims/{w.open_token}/decline/", statuses(200, anonymous=401, sender=403),
        no_price=True, sender_blind=True),
    Row("POST /api/v1/claims/{token}/thanks", f"{CLAIM}thanks/$", lambda w: f"/api/v1/claims/{w.token}/thanks/",
        statuses(409, anonymous=401, recipient=200), owner="recipient", data=lambda w: {"note": "Thanks again"},
        no_price=True, sender_blind=True),
    # --- statistics --------------------------------------------------------------------------------------
    Row("GET /api/v1/merchant/stores/{slug}/stats", f"{M_STORE}stats/",
        lambda w: "/api/v1/merchant/stores/jade/stats/", members(200)),
]


def _page_gift(w, tail=""):
    return f"/gifts/{w.gift.id}/{tail}"


def _page_open_gift(w, tail=""):
    return f"/gifts/{w.open_gift.id}/{tail}"


def _shipment_page(w, tail=""):
    return f"/merchant/shipments/{w.shipment.id}/{tail}"


def _page_addr(w, tail):
    return f"/me/addresses/{w.recipient_address.id}/{tail}"


PAGE_ROWS = [
    # --- Orders & Cards, the address book ------------------------------------------------------------
    Row("POST /me/sent/{gift_id}/refund", "me/sent/<int:gift_id>/refund/", lambda w: f"/me/sent/{w.gift.id}/refund/",
        own("sender", 302, api=False), owner="sender", data=lambda w: {"claim_id": str(w.claim.id)}, fmt="form",
        moves=False),  # not overdue: a message says so
    Row("GET /me/addresses/{id}/edit", "me/addresses/<int:address_id>/edit/", lambda w: _page_addr(w, "edit/"),
        own("recipient", 200, api=False), owner="recipient", see={"recipient": (STREET,)}),
    Row("POST /me/addresses/{id}/edit", "me/addresses/<int:address_id>/edit/", lambda w: _page_addr(w, "edit/"),
        own("recipient", 302, api=False), owner="recipient", data=lambda w: _address_form(), fmt="form"),
    Row("GET /me/addresses/{id}/delete", "me/addresses/<int:address_id>/delete/", lambda w: _page_addr(w, "delete/"),
        own("recipient", 200, api=False), owner="recipient"),
    Row("POST /me/addresses/{id}/delete", "me/addresses/<int:address_id>/delete/",
        lambda w: _page_addr(w, "delete/"), own("recipient", 302, api=False), owner="recipient", fmt="form"),
    Row("POST /me/addresses/{id}/default", "me/addresses/<int:address_id>/default/",
        lambda w: f"/me/addresses/{w.recipient_second_address.id}/default/", own("recipient", 302, api=False),
        owner="recipient", fmt="form"),
    # --- the console: the store, its team, its webhooks ------------------------------------------------
    Row("GET /merchant/s/{slug}", "merchant/s/<slug:slug>/", lambda w: "/merchant/s/jade/", members(200, api=False),
        see=for_members("Jade House")),
    Row("GET /merchant/s/{slug}/settings", "merchant/s/<slug:slug>/settings/", lambda w: "/merchant/s/jade/settings/",
        owners(200, api=False)),
    Row("POST /merchant/s/{slug}/settings", "merchant/s/<slug:slug>/settings/",
        lambda w: "/merchant/s/jade/settings/", owners(302, api=False), fmt="form",
        data=lambda w: {"name": "Jade House", "description": "Changed", "ship_within_hours": "48", "is_active": "on"}),
    Row("GET /merchant/s/{slug}/team", "merchant/s/<slug:slug>/team/", lambda w: "/merchant/s/jade/team/",
        owners(200, api=False), see={"store_owner": ("storestaff",)}),
    Row("POST /merchant/s/{slug}/team/{member_id}/remove", "merchant/s/<slug:slug>/team/<int:member_id>/remove/",
        lambda w: f"/merchant/s/jade/team/{w.staff_member.id}/remove/", owners(302, api=False), fmt="form"),
    Row("GET /merchant/s/{slug}/webhooks", "merchant/s/<slug:slug>/webhooks/", lambda w: "/merchant/s/jade/webhooks/",
        owners(200, api=False), see={"store_owner": ("93.184.216.34",)}),
    Row("GET /merchant/webhooks/{id}", "merchant/webhooks/<int:endpoint_id>/",
        lambda w: f"/merchant/webhooks/{w.endpoint.id}/", owners(200, api=False), see={"store_owner": ("msg_1",)}),
    Row("POST /merchant/webhooks/{id}/rotate-secret", "merchant/webhooks/<int:endpoint_id>/rotate-secret/",
        lambda w: f"/merchant/webhooks/{w.endpoint.id}/rotate-secret/", owners(200, api=False), fmt="form",
        see={"store_owner": ("whsec_",)}),
    Row("POST /merchant/webhooks/{id}/delete", "merchant/webhooks/<int:endpoint_id>/delete/",
        lambda w: f"/merchant/webhooks/{w.endpoint.id}/delete/", owners(302, api=False), fmt="form"),
    Row("POST /merchant/webhook-deliveries/{id}/resend", "merchant/webhook-deliveries/<int:delivery_id>/resend/",
        lambda w: f"/merchant/webhook-deliveries/{w.delivery.id}/resend/", owners(302, api=False), fmt="form"),
    # --- the console: products, variants, photos ----------------------------------------------------------
    Row("GET /merchant/s/{slug}/products/new", "merchant/s/<slug:slug>/products/new/",
        lambda w: "/merchant/s/jade/products/new/", members(200, api=False)),
    Row("GET /merchant/products/{id}", "merchant/products/<int:product_id>/",
        lambda w: f"/merchant/products/{w.product.id}/", members(200, api=False), see=for_members("JADE-1")),
    Row("POST /merchant/products/{id}/variants/new", "merchant/products/<int:product_id>/variants/new/",
        lambda w: f"/merchant/products/{w.product.id}/variants/new/", members(302, api=False), fmt="form",
        data=lambda w: {"name": "Red glaze", "sku": "JADE-RED", "price": "1.00", "stock": "1"}),
    Row("POST /merchant/products/{id}/photos", "merchant/products/<int:product_id>/photos/",
        lambda w: f"/merchant/products/{w.product.id}/photos/", members(302, api=False), fmt="multipart",
        data=lambda w: _photos()),
    Row("POST /merchant/photos/{id}/move", "merchant/photos/<int:image_id>/move/",
        lambda w: f"/merchant/photos/{w.image.id}/move/", members(302, api=False), fmt="form",
        data=lambda w: {"direction": "down"}),
    Row("POST /merchant/photos/{id}/delete", "merchant/photos/<int:image_id>/delete/",
        lambda w: f"/merchant/photos/{w.image.id}/delete/", members(302, api=False), fmt="form"),
    Row("GET /merchant/variants/{id}", "merchant/variants/<int:variant_id>/",
        lambda w: f"/merchant/variants/{w.variant.id}/", members(200, api=False), see=for_members("JADE-1")),
    Row("POST /merchant/variants/{id}/delete", "merchant/variants/<int:variant_id>/delete/",
        lambda w: f"/merchant/variants/{w.spare_variant.id}/delete/", members(302, api=False), fmt="form"),
    # --- the console: shipping -------------------------------------------------------------------------
    Row("GET /merchant/s/{slug}/shipments", "merchant/s/<slug:slug>/shipments/",
        lambda w: "/merchant/s/jade/shipments/?status=all", members(200, api=False)),
    Row("GET /merchant/s/{slug}/shipments/slips", "merchant/s/<slug:slug>/shipments/slips/",
        lambda w: f"/merchant/s/jade/shipments/slips/?ids={w.shipment.id},{w.purchase_shipment.id}",
        members(200, api=False), see=for_members(STREET, SENDER_STREET), no_price=True),
    Row("GET /merchant/s/{slug}/shipments/dispatch-sheet.csv", "merchant/s/<slug:slug>/shipments/dispatch-sheet.csv",
        lambda w: "/merchant/s/jade/shipments/dispatch-sheet.csv", members(200, api=False), no_price=True,
        see=for_members("Jade tea set")),
    Row("GET /merchant/s/{slug}/shipments/dispatch", "merchant/s/<slug:slug>/shipments/dispatch/",
        lambda w: "/merchant/s/jade/shipments/dispatch/", members(200, api=False)),
    Row("GET /merchant/shipments/{id}", "merchant/shipments/<int:shipment_id>/", _shipment_page,
        members(200, api=False), see=for_members(STREET, TRACKING)),
    Row("POST /merchant/shipments/{id}/dispatch", "merchant/shipments/<int:shipment_id>/dispatch/",
        lambda w: f"/merchant/shipments/{w.purchase_shipment.id}/dispatch/", members(302, api=False), fmt="form",
        data=lambda w: {"carrier": "sandbox", "tracking_number": "DLV-MATRIX-2"}),
    Row("GET /merchant/shipments/{id}/slip", "merchant/shipments/<int:shipment_id>/slip/",
        lambda w: _shipment_page(w, "slip/"), members(200, api=False), see=for_members(STREET), no_price=True),
    Row("GET /merchant/shipments/{id}/refund", "merchant/shipments/<int:shipment_id>/refund/",
        lambda w: f"/merchant/shipments/{w.purchase_shipment.id}/refund/", members(200, api=False)),
    Row("POST /merchant/shipments/{id}/refund", "merchant/shipments/<int:shipment_id>/refund/",
        lambda w: f"/merchant/shipments/{w.purchase_shipment.id}/refund/", members(302, api=False), fmt="form",
        data=lambda w: {"confirm": "yes"}),
    Row("GET /merchant/shipments/{id}/payment", "merchant/shipments/<int:shipment_id>/payment/",
        lambda w: _shipment_page(w, "payment/"), members(200, api=False), see=for_members("Provider's reference")),
    Row("POST /merchant/shipments/{id}/return", "merchant/shipments/<int:shipment_id>/return/",
        lambda w: _shipment_page(w, "return/"), members(302, api=False), fmt="form",
        data=lambda w: {"action": "refund"}, moves=False),  # it was not returned: a message says so
    Row("GET /merchant/s/{slug}/stats", "merchant/s/<slug:slug>/stats/", lambda w: "/merchant/s/jade/stats/",
        members(200, api=False)),
    # --- orders and the sandbox's hosted checkout ------------------------------------------------------------
    Row("GET /orders/{id}", "orders/<int:order_id>/", lambda w: f"/orders/{w.order.id}/",
        own("sender", 200, api=False), owner="sender", see={"sender": ("Jade tea set",)}),
    # "Pay now": only the payer; a paid order has nothing to pay (a message, nothing moves).
    Row("POST /orders/{id}/pay", "orders/<int:order_id>/pay/", lambda w: f"/orders/{w.order.id}/pay/",
        own("sender", 302, api=False), owner="sender", fmt="form", moves=False),
    # The hosted page stands in for the provider's (Stripe's, WeChat's): its unguessable reference is
    # the credential, as a checkout session's is, whoever holds it.
    Row("GET /pay/sandbox/{ref}", "pay/sandbox/<str:ref>/", lambda w: f"/pay/sandbox/{w.charge_ref}/", public()),
    # --- gifts: the sender's pages -------------------------------------------------------------------------------
    Row("GET /gifts/{id}", "gifts/<int:gift_id>/", _page_gift, own("sender", 200, api=False), owner="sender",
        see={"sender": ("Thank you so much!", "Recipient")}),
    Row("GET /gifts/{id}/qr.png", "gifts/<int:gift_id>/qr.png", lambda w: _page_gift(w, "qr.png"),
        own("sender", 200, api=False), owner="sender"),
    Row("GET /gifts/{id}/cancel", "gifts/<int:gift_id>/cancel/", lambda w: _page_open_gift(w, "cancel/"),
        own("sender", 200, api=False), owner="sender"),
    Row("POST /gifts/{id}/cancel", "gifts/<int:gift_id>/cancel/", lambda w: _page_open_gift(w, "cancel/"),
        own("sender", 302, api=False), owner="sender", fmt="form"),
    Row("POST /gifts/{id}/pay", "gifts/<int:gift_id>/pay/", lambda w: _page_open_gift(w, "pay/"),
        own("sender", 302, api=False), owner="sender", fmt="form", moves=False),  # paid already: a message
    Row("POST /gifts/{id}/extend", "gifts/<int:gift_id>/extend/", lambda w: _page_open_gift(w, "extend/"),
        own("sender", 302, api=False), owner="sender", fmt="form", data=lambda w: {"hours": "6"}),
    Row("POST /gifts/{id}/revoke", "gifts/<int:gift_id>/revoke/", lambda w: _page_open_gift(w, "revoke/"),
        own("sender", 302, api=False), owner="sender", fmt="form"),
    Row("POST /gifts/{id}/email", "gifts/<int:gift_id>/email/", lambda w: _page_open_gift(w, "email/"),
        own("sender", 302, api=False), owner="sender", fmt="form", data=lambda w: {"email": "friend@example.com"}),
    # --- the card: whoever holds the link; no price for anyone, no address but the recipient's own --------
    Row("GET /g/{token}", "^g/(?P<token>[^/]*)/$", lambda w: f"/g/{w.token}/", public(), owner="recipient",
        see={"anonymous": ("Jade tea set", "For you, Rita"), "recipient": ("Jade tea set",)}, no_price=True),
    # --- the shop: public -------------------------------------------------------------------------------
    Row("GET /s/{slug}", "s/<slug:slug>/", lambda w: "/s/jade/", public(), see={"anonymous": ("Jade tea set",)}),
    Row("GET /s/{slug}/p/{id}", "s/<slug:store_slug>/p/<int:product_id>/", lambda w: f"/s/jade/p/{w.product.id}/",
        public(), see={"anonymous": ("Jade tea set",)}),
    # --- links mailed to the recipient: the signed token is the credential, whoever opens it ---------------
    Row("GET /accounts/signin/{token}", "accounts/signin/<str:token>/",
        lambda w: f"/accounts/signin/{w.signin_token}/", public()),
    Row("GET /accounts/unsubscribe/{token}", "accounts/unsubscribe/<str:token>/",
        lambda w: f"/accounts/unsubscribe/{w.unsubscribe_token}/", public()),
    Row("GET /accounts/password/reset/{uidb64}/{token}", "accounts/password/reset/<uidb64>/<token>/",
        # The recipient signing in (force_login sets last_login) is what spends their reset link:
        # Django's token covers last_login, so they get the "link no longer valid" page.
        lambda w: f"/accounts/password/reset/{w.reset_uid}/{w.reset_token}/", statuses(302, recipient=200),
        public_link=True),
]

# Ids in the body or the query string: the door is the same, the object named is someone else's.
# (A route here may already be a row above: these rows are about the second id, not the path's.)
FOREIGN_ROWS = [
    Row("POST /api/v1/claims/{token} with the recipient's address_id", f"{CLAIM}$",
        lambda w: f"/api/v1/claims/{w.open_token}/", statuses(400, anonymous=401, sender=403, recipient=201),
        owner="recipient", data=lambda w: {"address_id": w.recipient_address.id}, no_price=True, sender_blind=True),
    Row("POST /api/v1/orders with the recipient's address_id", f"{API}orders/", lambda w: "/api/v1/orders/",
        statuses(400, anonymous=401, recipient=201), owner="recipient",
        data=lambda w: {"variant_id": w.variant.id, "quantity": 1, "address_id": w.recipient_address.id}),
    Row("POST /api/v1/gifts/{id}/refund-request for another gift's claim", f"{GIFT}refund-request/",
        lambda w: _open_gift(w, "refund-request/"), own("sender", 400), owner="sender",
        data=lambda w: {"claim_id": w.claim.id}, sender_blind=True),
    Row("DELETE /api/v1/merchant/stores/{slug}/members/{another store's member}",
        f"{M_STORE}members/<int:member_id>/",
        lambda w: f"/api/v1/merchant/stores/jade/members/{w.other_store.members.get().id}/",
        owners(404)),
    Row("GET /merchant/s/{slug}/shipments/slips?ids={another store's parcel}",
        "merchant/s/<slug:slug>/shipments/slips/",
        lambda w: f"/merchant/s/jade/shipments/slips/?ids={w.shipment.id},{w.other_store_shipment.id}",
        members(404, api=False)),
    Row("GET /merchant/s/{slug}/shipments/dispatch-sheet.csv?ids={another store's parcel}",
        "merchant/s/<slug:slug>/shipments/dispatch-sheet.csv",
        lambda w: f"/merchant/s/jade/shipments/dispatch-sheet.csv?ids={w.other_store_shipment.id}",
        members(404, api=False)),
    Row("POST /api/v1/merchant/products/{id}/images/reorder with another product's photo",
        f"{M_PRODUCT}images/reorder/", lambda w: f"/api/v1/merchant/products/{w.product.id}/images/reorder/",
        members(400), data=lambda w: {"image_ids": [w.image.id, w.other_store_image.id]}),
    # The other store's parcel, from its side: jade's own members are strangers to it.
    Row("GET /api/v1/shipments/{id} of another store", f"{API}shipments/<str:shipment_id>/",
        lambda w: f"/api/v1/shipments/{w.other_store_shipment.id}/", own("other_store_owner", 200),
        see={"other_store_owner": (OTHER_STORE_STREET,)}),
    Row("GET /merchant/shipments/{id} of another store", "merchant/shipments/<int:shipment_id>/",
        lambda w: f"/merchant/shipments/{w.other_store_shipment.id}/", own("other_store_owner", 200, api=False),
        see={"other_store_owner": (OTHER_STORE_STREET,)}),
    Row("POST /api/v1/merchant/shipments/{id}/dispatch of another store",
        f"{API}merchant/shipments/<str:shipment_id>/dispatch/",
        lambda w: f"/api/v1/merchant/shipments/{w.other_store_shipment.id}/dispatch/", own("other_store_owner", 200),
        data=lambda w: {"carrier": "sandbox", "tracking_number": "DLV-MATRIX-3"}),
    Row("POST /merchant/s/{slug}/shipments/dispatch naming another store's parcel",
        "merchant/s/<slug:slug>/shipments/dispatch/", lambda w: "/merchant/s/jade/shipments/dispatch/",
        members(200, api=False), fmt="multipart", refused=MEMBERS,
        data=lambda w: {"file": SimpleUploadedFile("sheet.csv", (
            f"reference,carrier,tracking_number\n{w.other_store_shipment.reference},sandbox,DLV-BULK-1\n").encode(),
            content_type="text/csv")}),
    Row("GET /g/{token} of an unknown link", "^g/(?P<token>[^/]*)/$", lambda w: f"/g/{w.token}x/", public(404)),
    Row("GET /api/v1/claims/{token} of a malformed link", f"{CLAIM}$", lambda w: f"/api/v1/claims/{w.token[:-2]}/",
        public(404)),
]

# The card page's own POSTs (the page a chat app opens): the same rules as the claims API.
CARD = "^g/(?P<token>[^/]*)/$"
NOT_THE_RECIPIENT = tuple(a for a in ACTORS if a not in ("anonymous", "recipient"))
CARD_ROWS = [
    Row("POST /g/{token} accept, to the recipient's saved address", CARD, lambda w: f"/g/{w.open_token}/",
        statuses(200, anonymous=302, sender=200, recipient=302), owner="recipient", fmt="form",
        data=lambda w: {"action": "accept", "address": str(w.recipient_address.id)}, refused=NOT_THE_RECIPIENT,
        no_price=True),
    Row("POST /g/{token} decline", CARD, lambda w: f"/g/{w.open_token}/", statuses(302, sender=200), fmt="form",
        data=lambda w: {"action": "decline"}, refused=("sender",), no_price=True),
    Row("POST /g/{token} thank", CARD, lambda w: f"/g/{w.token}/", statuses(200, anonymous=302, recipient=302),
        owner="recipient", fmt="form", data=lambda w: {"action": "thank", "note": "Thanks again"},
        refused=NOT_THE_RECIPIENT, no_price=True),
]

# A gift's order is the sender's, but its parcel is the recipient's: the order shows none of it.
GIFT_ORDER_ROWS = [
    Row("GET /api/v1/orders/{id} of a gift", f"{API}orders/<int:order_id>/",
        lambda w: f"/api/v1/orders/{w.gift.order_id}/", own("sender", 200), owner="sender",
        see={"sender": ('"kind":"gift"', '"shipments":[]')}, sender_blind=True),
    Row("GET /orders/{id} of a gift", "orders/<int:order_id>/", lambda w: f"/orders/{w.gift.order_id}/",
        own("sender", 200, api=False), owner="sender", see={"sender": ("Jade tea set",)}),
    Row("GET /api/v1/payments/{id} of a gift", f"{API}payments/<int:payment_id>/",
        lambda w: f"/api/v1/payments/{w.gift.order.payments.get().id}/", own("sender", 200), owner="sender",
        sender_blind=True),
]

ROWS = API_ROWS + PAGE_ROWS + FOREIGN_ROWS + CARD_ROWS + GIFT_ORDER_ROWS

# Routes with a path parameter that are not in the matrix, and why.
SKIPPED_ROUTES = {
    # Signed by the provider or the carrier: the signature is the authority (tests/orders/test_webhooks.py,
    # tests/logistics/test_tracking_http.py), there is no user to be.
    "api/v1/payments/webhooks/<str:provider>/",
    "api/v1/logistics/webhooks/<str:carrier>/",
    # Uploaded files, served in the embedded mode only; their names are unguessable (no ids in them).
    "^media/(?P<path>.*)$",
}
SKIPPED_PREFIXES = (
    # Django's admin: platform staff's own tool, behind is_staff and model permissions (tests/*/test_admin.py).
    "admin/",
)
