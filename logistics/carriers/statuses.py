"""Mapping each carrier format's raw statuses onto our twelve (shared/REFERENCE.md "Carriers").

`normalise(table, raw)` returns our status; an unknown raw status maps to `exception` (a person
must look) and is logged. The raw status is always kept beside ours on the tracking event.
"""

import logging

logger = logging.getLogger(__name__)

# AfterShip tags; Exception subtags Exception_010 / _011 are "returning" / "returned to sender".
AFTERSHIP_TAGS = {
    "Pending": "pending",
    "InfoReceived": "info_received",
    "InTransit": "in_transit",
    "OutForDelivery": "out_for_delivery",
    "AvailableForPickup": "available_for_pickup",
    "AttemptFail": "delivery_failed",
    "Delivered": "delivered",
    "Exception": "exception",
    "Expired": "expired",
}
AFTERSHIP_SUBTAGS = {"Exception_010": "returning", "Exception_011": "returned"}

# Kuaidi100 (快递100) `state` codes.
KUAIDI100_STATES = {
    "101": "info_received", "102": "info_received",
    "0": "in_transit", "1": "in_transit", "103": "in_transit", "1001": "in_transit", "1002": "in_transit",
    "1003": "in_transit", "7": "in_transit", "8": "in_transit", "10": "in_transit", "11": "in_transit",
    "12": "in_transit",
    "5": "out_for_delivery",
    "501": "available_for_pickup",
    "3": "delivered", "301": "delivered", "302": "delivered", "303": "delivered", "304": "delivered",
    "6": "returning",
    "4": "returned",
    "2": "exception", "13": "exception", "14": "exception",
    "401": "cancelled",
}

# The sandbox carrier's own raw codes.
SANDBOX_CODES = {
    "ACCEPTED": "info_received",
    "IN_TRANSIT": "in_transit",
    "OUT_FOR_DELIVERY": "out_for_delivery",
    "ATTEMPT_FAILED": "delivery_failed",
    "DELIVERED": "delivered",
    "RETURNING": "returning",
    "RETURNED": "returned",
    "EXCEPTION": "exception",
    "EXPIRED": "expired",
}


def normalise(table: dict, raw, *, carrier: str) -> str:
    status = table.get(str(raw))
    if status is None:
        logger.warning("tracking: %s sent an unknown status %r; mapped to exception", carrier, raw)
        return "exception"
    return status


def aftership_status(tag, subtag=None) -> str:
    if tag == "Exception" and subtag in AFTERSHIP_SUBTAGS:
        return AFTERSHIP_SUBTAGS[subtag]
    return normalise(AFTERSHIP_TAGS, tag, carrier="aftership")
