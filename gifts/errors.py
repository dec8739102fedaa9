"""The claim table's error codes (shared/API.md)."""

from django.utils.translation import gettext_lazy as _

from giftshop.errors import Conflict, InvalidInput, PermissionDenied


class GiftNotOpen(Conflict):
    code = "gift_not_open"
    default_detail = _("This gift is no longer open.")


class GiftFullyClaimed(Conflict):
    code = "gift_fully_claimed"
    default_detail = _("Every unit of this gift has been claimed.")


class GiftExpired(Conflict):
    code = "gift_expired"
    default_detail = _("This gift has expired.")


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    default_detail = _("You have already claimed this gift.")


class AlreadyExtended(Conflict):
    code = "already_extended"
    default_detail = _("The claim window can be extended only once.")


class CannotDeclineGroup(Conflict):
    code = "cannot_decline_group"
    default_detail = _("A group gift cannot be declined; just leave it for the others.")


class DrawClosed(Conflict):
    code = "draw_closed"
    default_detail = _("The draw has already taken place.")


class NotAWinner(Conflict):
    code = "not_a_winner"
    default_detail = _("Only the draw's winners choose an address.")


class NotClaimed(Conflict):
    code = "not_claimed"
    default_detail = _("You can thank the sender once you have accepted the gift.")


class OwnGift(PermissionDenied):
    code = "own_gift"
    default_detail = _("This is your own gift: share the link with a friend instead.")


class VariantNotAllowed(InvalidInput):
    code = "variant_not_allowed"
    default_detail = _("You can switch only to another option of the same product at the same price.")

    def __init__(self, detail=None):
        super().__init__(detail, fields={"variant_id": [str(detail or self.default_detail)]})
