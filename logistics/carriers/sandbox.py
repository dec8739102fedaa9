"""The sandbox carrier: a courier's tracking system that runs in this process.

The tracking number's prefix picks a scripted timeline (shared/API.md "Sandboxes"): DLV… (and any
other prefix) delivered; FAIL… a failed attempt, then delivered; RTN… returned; EXC… exception;
STALE… goes quiet, then expires. Checkpoint i is due `step × i` after registration
(SANDBOX_CARRIER_STEP_SECONDS), on an injectable clock. The carrier pushes due checkpoints to our
webhook, signed (giftshop.signing); our periodic sync pulls parcels that went quiet.
"""

import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _  # marked for makemessages, kept in English

from giftshop import signing
from giftshop.sandbox_transport import post_to_us
from logistics.carriers.base import Carrier, CarrierUnavailable, Checkpoint, InvalidSignature, TrackingUpdate
from logistics.carriers.statuses import SANDBOX_CODES, normalise
from logistics.models import SandboxParcel

SIGNATURE_HEADER = "X-Sandbox-Signature"

# (step, raw code, location, description). The texts are stored in English as they came, like a real
# carrier's; the pages show the sandbox's in the reader's language (speak()).
TIMELINES = {
    "DLV": [
        (0, "ACCEPTED", _("Shanghai"), _("Parcel information received")),
        (1, "IN_TRANSIT", _("Shanghai hub"), _("Departed the sorting centre")),
        (2, "OUT_FOR_DELIVERY", _("Local depot"), _("Out for delivery")),
        (3, "DELIVERED", _("Front door"), _("Delivered, signed by the recipient")),
    ],
    "FAIL": [
        (0, "ACCEPTED", _("Shanghai"), _("Parcel information received")),
        (1, "IN_TRANSIT", _("Shanghai hub"), _("Departed the sorting centre")),
        (2, "OUT_FOR_DELIVERY", _("Local depot"), _("Out for delivery")),
        (3, "ATTEMPT_FAILED", _("Front door"), _("Nobody home; we will try again")),
        (4, "OUT_FOR_DELIVERY", _("Local depot"), _("Out for delivery, second attempt")),
        (5, "DELIVERED", _("Front door"), _("Delivered")),
    ],
    "RTN": [
        (0, "ACCEPTED", _("Shanghai"), _("Parcel information received")),
        (1, "IN_TRANSIT", _("Shanghai hub"), _("Departed the sorting centre")),
        (2, "OUT_FOR_DELIVERY", _("Local depot"), _("Out for delivery")),
        (3, "ATTEMPT_FAILED", _("Front door"), _("Address could not be found")),
        (4, "RETURNING", _("Local depot"), _("Returning to the sender")),
        (5, "RETURNED", _("Shanghai"), _("Returned to the sender")),
    ],
    "EXC": [
        (0, "ACCEPTED", _("Shanghai"), _("Parcel information received")),
        (1, "IN_TRANSIT", _("Shanghai hub"), _("Departed the sorting centre")),
        (2, "EXCEPTION", _("Shanghai hub"), _("Parcel damaged in transit; the courier is investigating")),
    ],
    "STALE": [
        (0, "ACCEPTED", _("Shanghai"), _("Parcel information received")),
        (8, "EXPIRED", "", _("No news from the courier for a long time")),
    ],
}


SANDBOX_TEXTS = frozenset(
    text for timeline in TIMELINES.values() for _step, _code, location, description in timeline
    for text in (location, description) if text
)


def speak(text: str) -> str:
    """One of the sandbox's own tracking texts in the current language; any other text as it is."""
    return gettext(text) if text in SANDBOX_TEXTS else text


def timeline_for(tracking_number: str):
    upper = tracking_number.upper()
    for prefix in ("STALE", "FAIL", "RTN", "EXC", "DLV"):
        if upper.startswith(prefix):
            return TIMELINES[prefix]
    return TIMELINES["DLV"]


def _step():
    return timedelta(seconds=settings.SANDBOX_CARRIER_STEP_SECONDS)


def _checkpoints(parcel: SandboxParcel, now: datetime) -> list[dict]:
    """The wire form of every checkpoint due by `now`."""
    due = []
    for index, (step, code, location, description) in enumerate(timeline_for(parcel.tracking_number)):
        at = parcel.registered_at + _step() * step
        if at > now:
            break
        due.append({"index": index, "code": code, "time": at.isoformat(), "location": location,
                    "description": description})
    return due


def _time(value) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _to_update(tracking_number: str, wire: list[dict]) -> TrackingUpdate:
    # Texts as str and times aware whatever a push holds: the worker slices and orders them.
    return TrackingUpdate(
        carrier=SandboxCarrier.code,
        tracking_number=tracking_number,
        checkpoints=[
            Checkpoint(
                key=f"sbx:{c['index']}", occurred_at=_time(c["time"]),
                status=normalise(SANDBOX_CODES, c["code"], carrier="sandbox"), raw_status=str(c["code"]),
                location=str(c.get("location") or ""), description=str(c.get("description") or ""),
            )
            for c in wire
        ],
    )


class SandboxCarrier(Carrier):
    code = "sandbox"
    name = "Sandbox Express"

    def __init__(self, clock=None):
        self.clock = clock or timezone.now

    def register(self, *, tracking_number):
        try:
            with transaction.atomic():
                SandboxParcel.objects.get_or_create(tracking_number=tracking_number,
                                                    defaults={"registered_at": self.clock()})
        except IntegrityError:
            pass  # registered by a concurrent call: same parcel

    def fetch(self, *, tracking_number):
        parcel = SandboxParcel.objects.filter(tracking_number=tracking_number).first()
        if parcel is None:
            raise CarrierUnavailable(f"unknown parcel {tracking_number}")
        return _to_update(parcel.tracking_number, _checkpoints(parcel, self.clock()))

    def parse_webhook(self, *, headers, body):
        try:
            signing.verify(settings.SANDBOX_CARRIER_SECRET, headers.get(SIGNATURE_HEADER), body)
            data = json.loads(body)
            return [_to_update(str(data["tracking_number"]), list(data["checkpoints"]))]
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            raise InvalidSignature(str(exc)) from None
        except RecursionError:
            raise InvalidSignature("malformed push: nested too deeply") from None

    # --- the carrier's own side: pushing news to our webhook ---------------------------------

    def push_due(self) -> int:
        """Send every parcel's newly due checkpoints to our webhook; returns how many pushes went."""
        now, sent = self.clock(), 0
        path = reverse("shipments_api:carrier-webhook", kwargs={"carrier": self.code})
        for parcel in SandboxParcel.objects.order_by("id"):
            due = _checkpoints(parcel, now)
            if len(due) <= parcel.pushed:
                continue
            body = json.dumps({"tracking_number": parcel.tracking_number, "checkpoints": due[parcel.pushed:]},
                              separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json",
                       SIGNATURE_HEADER: signing.sign(settings.SANDBOX_CARRIER_SECRET, body)}
            try:
                status = post_to_us(path, body, headers)
            except Exception:  # noqa: BLE001 - a failed push is retried next round; sync is the net
                status = 0
            if 200 <= status < 300:
                SandboxParcel.objects.filter(id=parcel.id, pushed=parcel.pushed).update(pushed=len(due))
                sent += 1
        return sent
