"""The carrier interface: register a parcel for pushes, fetch its checkpoints, parse a push,
acknowledge it. Parsers are pure functions of (headers, body): easy to test and fuzz."""

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from giftshop.errors import DomainError


class InvalidSignature(DomainError):
    code = "invalid_signature"
    status = 400
    default_detail = _("The push's signature is not valid.")


class CarrierUnavailable(Exception):
    """The carrier cannot be reached or is not configured here; try again later."""


@dataclass(frozen=True)
class Checkpoint:
    key: str  # unique per parcel: the same checkpoint delivered twice is stored once
    occurred_at: datetime  # the checkpoint's own time (aware), which orders everything
    status: str  # ours (one of the twelve)
    raw_status: str  # the carrier's, kept beside ours
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class TrackingUpdate:
    carrier: str
    tracking_number: str
    checkpoints: list[Checkpoint] = field(default_factory=list)

    def as_payload(self) -> dict:
        """JSON-safe form, for the outbox (the worker applies pushes)."""
        return {
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "checkpoints": [{**asdict(c), "occurred_at": c.occurred_at.isoformat()} for c in self.checkpoints],
        }

    @classmethod
    def from_payload(cls, data: dict) -> "TrackingUpdate":
        return cls(
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            checkpoints=[
                Checkpoint(**{**c, "occurred_at": datetime.fromisoformat(c["occurred_at"])})
                for c in data["checkpoints"]
            ],
        )


class Carrier(ABC):
    code: str
    name: str

    @abstractmethod
    def register(self, *, tracking_number: str) -> None: ...

    @abstractmethod
    def fetch(self, *, tracking_number: str) -> TrackingUpdate: ...

    @abstractmethod
    def parse_webhook(self, *, headers, body: bytes) -> list[TrackingUpdate]: ...

    def ack(self, *, ok: bool = True) -> HttpResponse:
        return HttpResponse('{"ok": true}' if ok else '{"ok": false}', status=200 if ok else 400,
                            content_type="application/json")
