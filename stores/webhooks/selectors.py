"""Reads of the webhook endpoints and their delivery log, for the console and the API. The same
rule as every change: a store's owners only, as access_store_by_slug (platform staff use the admin,
where deliveries can be sent again through the same service)."""

from django.db.models import QuerySet

from giftshop.errors import NotFound
from stores.models import Store, WebhookDelivery, WebhookEndpoint
from stores.selectors import ensure_store_owner


def endpoint_list(*, store: Store, actor) -> QuerySet[WebhookEndpoint]:
    ensure_store_owner(store=store, actor=actor)
    return WebhookEndpoint.objects.filter(store=store).order_by("created_at", "id")


def endpoint_for_owner(*, endpoint_id, actor) -> WebhookEndpoint:
    """An endpoint of a store `actor` owns: NotFound when they are not a member (another store's
    endpoint is never told apart from a missing one), PermissionDenied for the store's staff."""
    endpoint = WebhookEndpoint.objects.select_related("store").filter(
        id=endpoint_id, store__members__user_id=getattr(actor, "pk", None)
    ).first()
    if endpoint is None:
        raise NotFound()
    ensure_store_owner(store=endpoint.store, actor=actor)
    return endpoint


def delivery_for_owner(*, delivery_id, actor) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_related("endpoint__store").filter(
        id=delivery_id, endpoint__store__members__user_id=getattr(actor, "pk", None)
    ).first()
    if delivery is None:
        raise NotFound()
    ensure_store_owner(store=delivery.endpoint.store, actor=actor)
    return delivery


def delivery_log(*, endpoint: WebhookEndpoint, status: str | None = None) -> QuerySet[WebhookDelivery]:
    """Newest first; the caller has the endpoint through endpoint_for_owner."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).defer("body")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")
