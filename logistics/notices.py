"""What a parcel's news means to whoever receives it, as an in-app notice kind (accounts.notices):
gifts tells a claim's recipient, orders tells a purchase's buyer, from the same table."""

from logistics.models import Shipment

S = Shipment.Status

# No kind: nothing worth a notice.
RECIPIENT_PARCEL_KINDS = {
    S.INFO_RECEIVED: "parcel_shipped",
    S.IN_TRANSIT: "parcel_shipped",
    S.OUT_FOR_DELIVERY: "parcel_out_for_delivery",
    S.AVAILABLE_FOR_PICKUP: "parcel_out_for_delivery",
    S.DELIVERED: "parcel_delivered",
    S.RETURNED: "parcel_returned",
}
