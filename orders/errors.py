from django.utils.translation import gettext_lazy as _

from giftshop.errors import Conflict, InvalidInput


class OutOfStock(InvalidInput):
    code = "out_of_stock"
    default_detail = _("Sorry, this is sold out.")

    def __init__(self, detail=None, *, field="variant_id"):
        super().__init__(detail or self.default_detail, fields={field: [str(detail or self.default_detail)]})


class VariantNotAvailable(InvalidInput):
    code = "invalid"
    default_detail = _("This item is not for sale.")

    def __init__(self, detail=None, *, field="variant_id"):
        super().__init__(detail or self.default_detail, fields={field: [str(detail or self.default_detail)]})


class RefundTooLarge(Conflict):
    code = "refund_exceeds_payment"
    default_detail = _("This would refund more than was paid.")


class NothingToRefund(Conflict):
    default_detail = _("There is no payment left to refund.")


class AlreadyRefunded(Conflict):
    code = "already_refunded"
    default_detail = _("This parcel has already been refunded.")
