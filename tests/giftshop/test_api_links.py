"""giftshop/api_links.py: the OpenAPI links (schemathesis's stateful mode follows them) and the
`additionalProperties: false` of strict inputs, on the document the shop really serves."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings, spectacular_settings

from giftshop.api_links import LINKS
from logistics.services.addresses import phone_problem

HOOKS = ["giftshop.api_links.add_links", "giftshop.api_links.forbid_unknown_fields"]


def _document(hooks=HOOKS):
    """The document as the settings make it, plus `hooks` (until the settings name them)."""
    current = spectacular_settings.user_settings.get("POSTPROCESSING_HOOKS", [])
    with patched_settings({"POSTPROCESSING_HOOKS": [*current, *(h for h in hooks if h not in current)]}):
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def document():
    return _document()


def _operations(document):
    return {
        operation["operationId"]: (path, operation)
        for path, methods in document["paths"].items()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_every_link_in_the_table_names_operations_and_parameters_the_document_has(document):
    """The hook skips what it cannot place; this says when a rename left a link behind."""
    operations = _operations(document)
    for source, (status, links) in LINKS.items():
        assert source in operations, source
        assert status in operations[source][1]["responses"], (source, status)
        source_path = operations[source][0]
        for name, (target, parameters) in links.items():
            assert target in operations, (source, name, target)
            target_path = operations[target][0]
            for parameter, expression in parameters.items():
                assert "{" + parameter + "}" in target_path, (name, parameter, target_path)
                if expression.startswith("$request.path."):
                    assert "{" + expression.removeprefix("$request.path.") + "}" in source_path, (name, expression)


def test_created_objects_link_to_their_fetch_change_and_delete(document):
    operations = _operations(document)
    links = operations["me_addresses_create"][1]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} >= {
        "me_addresses_retrieve", "me_addresses_update", "me_addresses_destroy"}
    assert links["GetAddress"]["parameters"] == {"address_id": "$response.body#/id"}
    store_links = operations["merchant_stores_create"][1]["responses"]["201"]["links"]
    assert store_links["CreateProduct"] == {
        "operationId": "merchant_store_products_create", "parameters": {"slug": "$response.body#/slug"}}


def test_the_settings_register_both_hooks():
    from django.conf import settings

    hooks = settings.SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]
    assert "giftshop.api_links.add_links" in hooks and "giftshop.api_links.forbid_unknown_fields" in hooks


def test_strict_request_bodies_forbid_unknown_fields_and_answers_do_not(document):
    schemas = document["components"]["schemas"]
    for name in ("AddressInputRequest", "PatchedAddressInputRequest", "OrderCreateRequest", "GiftCreateRequest",
                 "MerchantStoreCreateRequest", "WebhookEndpointCreateRequest"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["Address"]
    assert "additionalProperties" not in schemas["Order"]


@pytest.mark.parametrize("phone", ["13800138001", "+86 138-0013-8001", "12345", "1234", "1" * 24, "     1", "+1",
                                   "1" * 25, "-----", "", "138001380０1", "1380013800a", " 12 "])
def test_the_documented_phone_pattern_is_what_the_service_accepts(document, phone):
    pattern = document["components"]["schemas"]["AddressInputRequest"]["properties"]["phone"]["pattern"]
    assert (re.search(pattern, phone, flags=re.ASCII) is not None) == (phone_problem(phone) is None)
