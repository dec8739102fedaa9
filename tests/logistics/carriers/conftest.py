import pytest

from logistics.models import Shipment
from logistics.services.shipments import address_snapshot, shipment_create
from logistics.services.tracking import shipment_dispatch
from tests.factories import AddressFactory, StoreFactory, UserFactory, member_of
from tests.gifts.helpers import drain_outbox

LINES = [{"product_title": "Jade teapot", "variant_name": "Green", "sku": "JT-1", "quantity": 1}]


def make_shipment(**kwargs) -> Shipment:
    """A pending shipment the cheap way: a store, a recipient, an address snapshot."""
    recipient = kwargs.pop("recipient", None) or UserFactory()
    return shipment_create(store=kwargs.pop("store", None) or StoreFactory(), recipient=recipient,
                           ship_to=address_snapshot(AddressFactory(user=recipient)), lines=LINES, **kwargs)


@pytest.fixture
def dispatched():
    """dispatched(tracking_number, carrier="sandbox"): a shipment handed to the sandbox carrier (its
    first checkpoint pulled), then retargeted to `carrier` for that carrier's pushes."""

    def make(tracking_number, carrier="sandbox"):
        shipment = make_shipment()
        shipment_dispatch(
            shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number=tracking_number
        )
        drain_outbox()
        if carrier != "sandbox":
            Shipment.objects.filter(id=shipment.id).update(carrier=carrier)
        shipment.refresh_from_db()
        return shipment

    return make
