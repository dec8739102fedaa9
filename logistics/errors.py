from django.utils.translation import gettext_lazy as _

from giftshop.errors import Conflict


class ShipmentNotPending(Conflict):
    code = "shipment_not_pending"
    default_detail = _("This parcel has already been dispatched, cancelled or refunded.")
