"""giftshop.api.serializers: the one error shape as the OpenAPI document names it, and the input
serializer every app's API builds on."""

import pytest
from rest_framework import serializers

from giftshop.api.responses import ERROR_COMPONENT
from giftshop.api.serializers import ErrorSerializer, StrictInputSerializer, error_response, with_errors


class NameInput(StrictInputSerializer):
    name = serializers.CharField()


def test_an_unknown_field_is_refused_with_its_name():
    serializer = NameInput(data={"name": "Lin", "nmae": "typo", "admin": True})

    assert not serializer.is_valid()
    assert serializer.errors == {"admin": ["Unknown field."], "nmae": ["Unknown field."]}


def test_known_fields_pass():
    serializer = NameInput(data={"name": "Lin"})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"name": "Lin"}


def test_the_error_answers_are_the_one_error_shape():
    assert error_response("own_gift").response is ErrorSerializer
    assert error_response("own_gift").description == "own_gift"
    assert with_errors({200: NameInput}, 400, 404) == {200: NameInput, 400: ErrorSerializer, 404: ErrorSerializer}


@pytest.mark.django_db
def test_the_document_names_the_error_shape_once_and_every_error_answer_uses_it(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    components = schema["components"]["schemas"]
    assert ERROR_COMPONENT in components
    assert set(components[ERROR_COMPONENT]["properties"]) == {"code", "detail", "fields"}
    error_ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    answers = [
        (path, status, response)
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for status, response in operation.get("responses", {}).items()
        if status.startswith(("4", "5"))
    ]
    assert len(answers) > 50
    for path, status, response in answers:
        assert response["content"]["application/json"]["schema"] == error_ref, (path, status)
