"""The one world every row of the authorization matrix runs in (tests/test_authz_matrix.py).

A store ("jade": its owner and a staff member), another store ("elsewhere": its owner, and a
parcel of its own to someone else), a sender who is also a buyer, a recipient who claimed one of
the sender's gifts with a typed address, a parcel that was dispatched and thanked for, a second
gift still open, a purchase, a webhook endpoint with a failed delivery, a photo, a spare variant;
another signed-in user, and platform staff (is_staff, a member of no store). Everything is built
through the real services and the sandbox payment provider, as a person would build it.

The values that must not leak are distinctive, so that a page or answer can be searched for them:
the price (in every form it is written), the recipient's street, phone and tracking number.
"""

import dataclasses

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.mail import unsubscribe_token
from accounts.signin_links import signin_token
from gifts.services.claims import claim_accept, claim_thank
from gifts.tokens import gift_share_url
from logistics.services.tracking import shipment_dispatch
from orders.models import SandboxCharge
from orders.services.checkout import order_create_purchase
from stores import services as store_services
from stores.models import StoreMember, WebhookDelivery
from stores.webhooks.services import webhook_endpoint_create
from tests.conftest import api_client_for, make_image_bytes
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift, pay

PRICE_MINOR = 876543  # ¥8,765.43
PRICE_TEXTS = ("8,765.43", "8765.43", "876543", "8,765")
PRICE_KEYS = ("price_minor", "total_minor", "amount_minor", "unit_price_minor", "refunded_minor")
STREET, PHONE, TRACKING = "55 Hiddenleaf Road", "13700002222", "DLV55550000"
# The rest of the recipient's address, each part of it as distinctive: a city alone is a leak too.
ADDRESSEE, CITY, DISTRICT, POSTCODE = "Rosalind Quill", "Quillton", "Inkwell", "325099"
OTHER_STORE_STREET = "3 Elsewhere Alley"  # the other store's parcel: never in jade's answers
SENDER_STREET = "8 Buyer Terrace"  # where the sender's own purchase goes

# Who plays in the matrix. "owner" is not here: each row says which of these owns its object.
ACTORS = ("anonymous", "sender", "recipient", "other_user", "store_staff", "store_owner", "other_store_owner",
          "platform_staff")


@dataclasses.dataclass
class World:
    users: dict
    store: object
    other_store: object
    product: object
    variant: object
    spare_variant: object
    image: object
    other_store_image: object
    gift: object  # claimed by the recipient, dispatched, thanked
    token: str
    open_gift: object  # paid, nobody has claimed it
    open_token: str
    claim: object
    shipment: object  # the recipient's parcel (the claimed gift), store jade
    other_store_shipment: object
    order: object  # the sender's own purchase, paid
    payment: object
    purchase_shipment: object
    sender_address: object
    recipient_address: object
    recipient_second_address: object  # not the default
    staff_member: object
    endpoint: object
    delivery: object
    charge_ref: str
    signin_token: str
    unsubscribe_token: str
    reset_uid: str
    reset_token: str

    def api(self, actor):
        """An API client as `actor` (a token, as API.md says programs sign in)."""
        if actor == "anonymous":
            return Client()
        return api_client_for(self.users[actor])

    def browser(self, actor):
        """A browser (session) as `actor`."""
        client = Client()
        if actor != "anonymous":
            client.force_login(self.users[actor])
        return client


def _address(user, **fields):
    return AddressFactory(user=user, is_default=True, **fields)


@override_settings(WEBHOOK_ALLOW_PRIVATE=True)
def build_world() -> World:
    users = {name: UserFactory(username=name.replace("_", ""), display_name=name.replace("_", " ").title())
             for name in ACTORS if name != "anonymous"}
    users["platform_staff"].is_staff = True
    users["platform_staff"].save(update_fields=["is_staff"])

    store = store_services.store_create(owner=users["store_owner"], name="Jade House", slug="jade")
    staff_member = store_services.store_member_add(store=store, actor=users["store_owner"],
                                                   username=users["store_staff"].username, role="staff")
    other_store = store_services.store_create(owner=users["other_store_owner"], name="Elsewhere", slug="elsewhere")
    product = store_services.product_create(
        store=store, actor=users["store_owner"], title="Jade tea set",
        variants=[{"name": "Green glaze", "sku": "JADE-1", "price_minor": PRICE_MINOR, "stock": 20},
                  {"name": "Blue glaze", "sku": "JADE-2", "price_minor": PRICE_MINOR, "stock": 20}],
    )
    variant, _second = product.variants.order_by("id")
    spare_variant = store_services.variant_create(product=product, actor=users["store_owner"], name="Spare",
                                                  sku="JADE-SPARE", price_minor=PRICE_MINOR, stock=1)
    image = store_services.product_image_add(
        product=product, actor=users["store_owner"],
        upload=SimpleUploadedFile("cup.jpg", make_image_bytes(), content_type="image/jpeg"),
    )
    endpoint = webhook_endpoint_create(store=store, actor=users["store_owner"], url="https://93.184.216.34/hooks",
                                       events=["gift.expired"])  # news that never comes here
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_key="gift.claimed:test", event_id="msg_1",
                                              event_type="gift.claimed", body={"type": "gift.claimed"},
                                              status=WebhookDelivery.Status.FAILED)

    sender, recipient = users["sender"], users["recipient"]
    recipient_address = _address(recipient, recipient_name=ADDRESSEE, street=STREET, phone=PHONE, region="Zhejiang",
                                 city=CITY, district=DISTRICT, postal_code=POSTCODE)
    for name in ("other_user", "store_staff", "store_owner", "other_store_owner", "platform_staff"):
        _address(users[name], street=f"1 {name} street")  # so that each of them could claim a card
    sender_address = _address(sender, street=SENDER_STREET)
    recipient_second_address = AddressFactory(user=recipient, street="9 Office Park")

    gift = paid_gift(sender=sender, variant=variant, quantity=1, message="For you, Rita")
    token = _token_of(gift)
    claim = claim_accept(gift=gift, user=recipient, address_id=recipient_address.id)
    claim_thank(gift=gift, user=recipient, note="Thank you so much!")
    shipment = claim.shipment
    shipment_dispatch(shipment=shipment, actor=users["store_owner"], carrier="sandbox", tracking_number=TRACKING)
    open_gift = paid_gift(sender=sender, variant=variant, quantity=1, message="Still open")
    open_token = _token_of(open_gift)

    order = order_create_purchase(buyer=sender, variant_id=variant.id, quantity=1, address_id=sender_address.id)
    payment = pay(order)
    order.refresh_from_db()

    other_variant = VariantFactory(product__store=other_store, stock=5)
    other_store_image = store_services.product_image_add(
        product=other_variant.product, actor=users["other_store_owner"],
        upload=SimpleUploadedFile("elsewhere.jpg", make_image_bytes(), content_type="image/jpeg"),
    )
    elsewhere_buyer = UserFactory(username="elsewherebuyer")
    elsewhere_address = _address(elsewhere_buyer, street=OTHER_STORE_STREET)
    elsewhere_order = order_create_purchase(buyer=elsewhere_buyer, variant_id=other_variant.id, quantity=1,
                                            address_id=elsewhere_address.id)
    pay(elsewhere_order)
    elsewhere_order.refresh_from_db()
    drain_outbox()
    claim.refresh_from_db()
    shipment.refresh_from_db()

    uid = urlsafe_base64_encode(force_bytes(recipient.pk))
    return World(
        users=users, store=store, other_store=other_store, product=product, variant=variant,
        spare_variant=spare_variant, image=image, other_store_image=other_store_image, gift=gift, token=token,
        open_gift=open_gift, open_token=open_token,
        claim=claim, shipment=shipment, other_store_shipment=elsewhere_order.shipment, order=order,
        payment=payment, purchase_shipment=order.shipment, sender_address=sender_address,
        recipient_address=recipient_address, recipient_second_address=recipient_second_address,
        staff_member=StoreMember.objects.get(id=staff_member.id),
        endpoint=endpoint, delivery=delivery, charge_ref=SandboxCharge.objects.get(ref=payment.provider_ref).ref,
        signin_token=signin_token(recipient), unsubscribe_token=unsubscribe_token(recipient),
        reset_uid=uid, reset_token=default_token_generator.make_token(recipient),
    )


def _token_of(gift) -> str:
    return gift_share_url(gift=gift).rstrip("/").rsplit("/", 1)[-1]
