from django.utils.translation import gettext_lazy as _

from giftshop.errors import Conflict


class ShipmentNotPending(Conflict):
    code = "shipment_not_pending"
    default_detail = _("This parcel has already been dispatched, cancelled or refunded.")


class ParcelNotReturned(Conflict):
    code = "parcel_not_returned"
    default_detail = _("Only a parcel that came back to the store can be shipped again or refunded this way.")


class ReturnAlreadyResolved(Conflict):
    code = "return_already_resolved"
    default_detail = _("This returned parcel has already been shipped again or refunded.")


class AddressPurged(Conflict):
    code = "address_purged"
    default_detail = _("This parcel's address was removed after the retention period: it cannot be shipped again.")
