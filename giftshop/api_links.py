"""OpenAPI links between the REST API's operations: what a created object's answer leads to.

A drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]). A link says
"the id in this answer is that operation's path parameter", so a client, or schemathesis's stateful
mode (.ci/schemathesis_live.py), can create an address, an order, a gift, a store, a product, a
variant, a photo, a webhook endpoint or a member and then fetch, change and delete that very object.

One table, by operationId: a link whose source or target the document does not have (an operation
renamed or removed, the sandbox switched off) is left out rather than breaking the document.

And `forbid_unknown_fields`, a second hook: every request body made from a StrictInputSerializer
says `additionalProperties: false`, since the shop answers 400 "Unknown field." to a name it does not
know (a client, or a fuzzer, reading the document otherwise believes extra fields are welcome).

A leaf module, like giftshop.api.schema: plain data and functions, no DRF import at import time.
"""

ID = "$response.body#/id"
SLUG = "$response.body#/slug"

# source operationId -> (its success status, {link name: (target operationId, {parameter: expression})})
_ADDRESS = {"address_id": ID}
_GIFT = {"gift_id": ID}
_SLUG = {"slug": SLUG}
_PRODUCT = {"product_id": ID}
_VARIANT = {"variant_id": ID}
_ENDPOINT = {"endpoint_id": ID}

LINKS = {
    "me_addresses_create": ("201", {
        "GetAddress": ("me_addresses_retrieve", _ADDRESS),
        "UpdateAddress": ("me_addresses_update", _ADDRESS),
        "DeleteAddress": ("me_addresses_destroy", _ADDRESS),
    }),
    "me_addresses_update": ("200", {
        "GetAddress": ("me_addresses_retrieve", _ADDRESS),
        "DeleteAddress": ("me_addresses_destroy", _ADDRESS),
    }),
    "orders_create": ("201", {
        "GetOrder": ("orders_retrieve", {"order_id": ID}),
        "GetPayment": ("payments_retrieve", {"payment_id": "$response.body#/payment/id"}),
        "PayOnSandbox": ("payments_sandbox_complete", {"payment_id": "$response.body#/payment/id"}),
    }),
    "gifts_create": ("201", {
        "GetGift": ("gifts_retrieve", _GIFT),
        "CancelGift": ("gifts_cancel", _GIFT),
        "ExtendGift": ("gifts_extend", _GIFT),
        "EmailCard": ("gifts_email_card", _GIFT),
        "RevokeLink": ("gifts_revoke_link", _GIFT),
        "RequestRefund": ("gifts_refund_request", _GIFT),
        "GetOrder": ("orders_retrieve", {"order_id": "$response.body#/order_id"}),
        "GetPayment": ("payments_retrieve", {"payment_id": "$response.body#/payment/id"}),
        "PayOnSandbox": ("payments_sandbox_complete", {"payment_id": "$response.body#/payment/id"}),
    }),
    "merchant_stores_create": ("201", {
        "GetStore": ("merchant_stores_retrieve", _SLUG),
        "UpdateStore": ("merchant_stores_update", _SLUG),
        "GetPublicStore": ("stores_retrieve", _SLUG),
        "ListMembers": ("merchant_store_members_list", _SLUG),
        "AddMember": ("merchant_store_members_add", _SLUG),
        "ListProducts": ("merchant_store_products_list", _SLUG),
        "CreateProduct": ("merchant_store_products_create", _SLUG),
        "ListShipments": ("merchant_store_shipments_list", _SLUG),
        "GetStats": ("merchant_store_stats", _SLUG),
        "ListWebhooks": ("merchant_webhooks_list", _SLUG),
        "CreateWebhook": ("merchant_webhooks_create", _SLUG),
    }),
    "merchant_stores_update": ("200", {
        "GetStore": ("merchant_stores_retrieve", _SLUG),
        "CreateProduct": ("merchant_store_products_create", _SLUG),
    }),
    "merchant_store_members_add": ("201", {
        "RemoveMember": ("merchant_store_members_remove", {"slug": "$request.path.slug", "member_id": ID}),
        "ListMembers": ("merchant_store_members_list", {"slug": "$request.path.slug"}),
    }),
    "merchant_store_products_create": ("201", {
        "GetProduct": ("merchant_products_retrieve", _PRODUCT),
        "UpdateProduct": ("merchant_products_update", _PRODUCT),
        "GetPublicProduct": ("products_retrieve", _PRODUCT),
        "AddVariant": ("merchant_product_variants_create", _PRODUCT),
        "AddImage": ("merchant_product_images_create", _PRODUCT),
        "ReorderImages": ("merchant_product_images_reorder", _PRODUCT),
        "UpdateFirstVariant": ("merchant_variants_update", {"variant_id": "$response.body#/variants/0/id"}),
        "DeleteFirstVariant": ("merchant_variants_delete", {"variant_id": "$response.body#/variants/0/id"}),
    }),
    "merchant_products_update": ("200", {
        "GetProduct": ("merchant_products_retrieve", _PRODUCT),
        "AddVariant": ("merchant_product_variants_create", _PRODUCT),
    }),
    "merchant_product_variants_create": ("201", {
        "UpdateVariant": ("merchant_variants_update", _VARIANT),
        "DeleteVariant": ("merchant_variants_delete", _VARIANT),
    }),
    "merchant_variants_update": ("200", {
        "DeleteVariant": ("merchant_variants_delete", _VARIANT),
    }),
    "merchant_product_images_create": ("201", {
        "DeleteImage": ("merchant_images_delete", {"image_id": ID}),
    }),
    "merchant_webhooks_create": ("201", {
        "GetWebhook": ("merchant_webhooks_retrieve", _ENDPOINT),
        "UpdateWebhook": ("merchant_webhooks_update", _ENDPOINT),
        "DeleteWebhook": ("merchant_webhooks_delete", _ENDPOINT),
        "ListDeliveries": ("merchant_webhook_deliveries_list", _ENDPOINT),
        "RotateSecret": ("merchant_webhooks_rotate_secret", _ENDPOINT),
    }),
    "merchant_webhooks_update": ("200", {
        "GetWebhook": ("merchant_webhooks_retrieve", _ENDPOINT),
        "DeleteWebhook": ("merchant_webhooks_delete", _ENDPOINT),
    }),
}


def add_links(result, generator, request, public):
    """Post-processing hook: each LINKS entry whose source and target the document has becomes an
    OpenAPI link on the source's success answer (links the document has already are kept)."""
    operations = {}
    for operations_by_method in result.get("paths", {}).values():
        for operation in operations_by_method.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operations[operation["operationId"]] = operation
    for source_id, (status, links) in LINKS.items():
        answer = operations.get(source_id, {}).get("responses", {}).get(status)
        if answer is None:
            continue
        for name, (target_id, parameters) in links.items():
            if target_id in operations:
                answer.setdefault("links", {}).setdefault(name, {"operationId": target_id, "parameters": parameters})
    return result


def forbid_unknown_fields(result, generator, request, public):
    """Post-processing hook: `additionalProperties: false` on each request component whose
    serializer is a StrictInputSerializer (the `...Request` components COMPONENT_SPLIT_REQUEST makes)."""
    from giftshop.api.serializers import StrictInputSerializer  # here: the settings name this module

    schemas = result.get("components", {}).get("schemas", {})
    for component in getattr(getattr(generator, "registry", None), "_components", {}).values():
        serializer = component.object
        serializer_class = serializer if isinstance(serializer, type) else type(serializer)
        if (
            component.type == "schemas"
            and component.name.endswith("Request")
            and issubclass(serializer_class, StrictInputSerializer)
            and schemas.get(component.name, {}).get("type") == "object"
        ):
            schemas[component.name].setdefault("additionalProperties", False)
    return result
