"""The pagination REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] names. A leaf module: it imports
nothing that reads DRF's settings at import time (see giftshop/api/__init__.py)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """?page= (1 to the last page) and ?page_size= (at most 100; more is read as 100).

    A page that is not a whole number from 1 up is a 400 `invalid` with fields.page (bad input,
    API.md); a page past the last one is a 404 `not_found` (there is no such page).
    `giftshop.api.schema.document_page_errors` puts both answers in the OpenAPI document of every
    paginated list."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        number = request.query_params.get(self.page_query_param)
        if number and number not in self.last_page_strings:  # empty: the first page, as DRF reads it
            # No int(): a number of 5,000 digits is well-formed (a 404) but int() refuses it.
            if not (number.isascii() and number.isdigit() and number.lstrip("0")):
                message = _("Enter a whole number from 1 up.")
                raise drf.ValidationError({self.page_query_param: [message]})
        return super().paginate_queryset(queryset, request, view=view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page (default {self.page_size}, at most {self.max_page_size})."
        return parameters
