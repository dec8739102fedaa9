"""The payment provider interface. Adapters never touch our models' statuses: services do."""

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from giftshop.client_ip import request_ip
from giftshop.errors import DomainError
from giftshop.storable import unstorable

MAX_BIGINT = 2**63 - 1


class InvalidSignature(DomainError):
    code = "invalid_signature"
    status = 400
    default_detail = _("The notification's signature or timestamp is not valid.")


# What a well-signed notification of the wrong shape raises while an adapter reads it: each adapter
# answers these as InvalidSignature ("malformed"), never as a 500.
MALFORMED = (KeyError, TypeError, AttributeError, OverflowError, RecursionError, UnicodeError)


def _refuse_constant(name):
    raise ValueError(f"malformed event: {name}")


def loads_event(raw):
    """json.loads for a provider's notification: NaN and Infinity (which json.loads accepts) are
    refused as ValueError; a provider never sends them."""
    return json.loads(raw, parse_constant=_refuse_constant)


class ProviderError(Exception):
    """The provider could not be reached or refused; the caller retries later."""


@dataclass(frozen=True)
class Checkout:
    provider_ref: str
    checkout_url: str


@dataclass(frozen=True)
class Payer:
    """Who starts the payment, read from their request, for providers that choose the checkout by
    device: WeChat Pay opens H5 in a phone's browser (with the payer's IP, which it checks) and a
    Native QR code elsewhere. None (an API call, a job) is "elsewhere"."""

    ip: str = ""
    phone: bool = False
    in_wechat: bool = False  # WeChat's own browser: H5 is not allowed there (its QR code is long-pressed)


_PHONE_AGENT = re.compile(r"iPhone|iPod|Android.*Mobile|Mobile Safari|HarmonyOS|Windows Phone")


def payer_from_request(request) -> Payer:
    agent = request.META.get("HTTP_USER_AGENT", "")[:1000]
    return Payer(ip=request_ip(request), phone=bool(_PHONE_AGENT.search(agent)), in_wechat="MicroMessenger" in agent)


@dataclass(frozen=True)
class PaymentState:
    """What the provider says about a payment: status is pending, succeeded or failed."""

    provider_ref: str
    status: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class PaymentUpdate:
    """A verified notification. `status` is succeeded, failed or pending (informational)."""

    event_id: str
    event_type: str
    provider_ref: str
    status: str
    amount_minor: int
    currency: str
    occurred_at: int = 0
    raw: dict = field(default_factory=dict)
    # A refund's news (Stripe's charge.refunded / refund.updated, WeChat Pay's REFUND.*): the
    # provider's id of the refund, and our refund_ref where the provider echoes it back. `status`
    # is then the refund's: succeeded, failed or pending.
    refund_provider_ref: str = ""
    refund_ref: str = ""
    # Other refunds' news in the same notification (Stripe's charge.refunded lists a charge's
    # refunds), applied after this one under the same event id.
    more: tuple["PaymentUpdate", ...] = ()

    @property
    def is_refund(self) -> bool:
        return bool(self.refund_provider_ref or self.refund_ref)

    def __post_init__(self):
        """An update the database can record (WebhookEvent: event_id ≤ 100, event_type ≤ 60; the
        payment's provider_ref ≤ 100), else ValueError: adapters answer it as a malformed event."""
        if not 0 < len(self.event_id) <= 100 or len(self.event_type) > 60 or len(self.provider_ref) > 100:
            raise ValueError("event id, type or object id of an impossible length")
        if len(self.refund_provider_ref) > 100 or len(self.refund_ref) > 120:
            raise ValueError("refund id of an impossible length")
        if len(self.more) > 100 or not all(isinstance(other, PaymentUpdate) and other.is_refund for other in self.more):
            raise ValueError("more refunds than a charge can have")
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise ValueError("amount is not a whole number")
        if not -MAX_BIGINT <= self.amount_minor <= MAX_BIGINT or not -MAX_BIGINT <= self.occurred_at <= MAX_BIGINT:
            raise ValueError("amount or time out of range")
        reason = unstorable(
            [self.event_id, self.event_type, self.provider_ref, self.currency, self.raw, self.refund_provider_ref,
             self.refund_ref]
        )
        if reason:
            raise ValueError(f"the event holds {reason}")


@dataclass(frozen=True)
class RefundResult:
    """What the provider says of a refund. Only "succeeded" and "failed" are final: a "pending"
    refund waits for the provider's webhook or for the reconciliation job's query_refund."""

    provider_ref: str
    status: str  # succeeded, pending or failed


class PaymentProvider(ABC):
    code: str

    @abstractmethod
    def create_payment(
        self, *, idempotency_key, amount_minor, currency, description, return_url, payer: Payer | None = None
    ) -> Checkout: ...

    @abstractmethod
    def query_payment(self, *, provider_ref) -> PaymentState: ...

    @abstractmethod
    def refund(self, *, provider_ref, idempotency_key, amount_minor, currency) -> RefundResult: ...

    @abstractmethod
    def query_refund(self, *, provider_ref, idempotency_key) -> RefundResult:
        """The refund's state now (by the provider's id, or by our idempotency key where the
        provider looks refunds up by it)."""

    @abstractmethod
    def parse_webhook(self, *, headers, body: bytes) -> PaymentUpdate: ...

    def refuse(self, error: DomainError) -> HttpResponse:
        """The answer to a notification we refuse (bad signature, stale, replayed, malformed): the
        API's JSON error, unless the provider wants its own shape."""
        return JsonResponse(error.as_dict(), status=error.status)

    def ack(self, *, ok: bool = True, detail: str = "") -> HttpResponse:
        if ok:
            return HttpResponse('{"received": true}', content_type="application/json")
        return HttpResponse('{"received": false}', status=400, content_type="application/json")
