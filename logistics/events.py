"""What a store's webhook endpoints hear about its parcels (stores.webhooks): shipment.updated, each
time a parcel's status moves (dispatch, then the carrier's news). The data is the parcel's id,
reference, status, carrier and tracking number: never the address it goes to."""

from logistics.models import Shipment
from stores.webhooks.services import webhook_emit


def event_shipment_updated(*, shipment: Shipment, key: str) -> None:
    webhook_emit(store=shipment.store, event_type="shipment.updated", key=f"shipment.updated:{key}", data={
        "shipment": {
            "id": shipment.id,
            "reference": shipment.reference,
            "status": shipment.status,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
        }
    })
