"""drf-spectacular hooks SPECTACULAR_SETTINGS names. A leaf module: plain functions, no DRF import."""

from giftshop.api.responses import ERROR_REF

PAGE_ERRORS = {
    "400": "invalid: ?page= is not a whole number from 1 up (see `fields.page`)",
    "404": "not_found: ?page= is past the last page",
}


def document_page_errors(result, generator, request, public):
    """Post-processing hook: every operation with a ?page= parameter may answer Pagination's 400
    and 404, so its document says so (an answer it documents already is kept)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" not in names:
                continue
            for status, description in PAGE_ERRORS.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
    return result


BODY_ERRORS = {
    "415": "unsupported_media_type: the body is not in a media type this operation reads, or not readable as one",
}


def document_body_errors(result, generator, request, public):
    """Post-processing hook: every operation that takes a body may answer DRF's 415 (a Content-Type
    it does not parse, or a multipart body whose boundary is broken), so its document says so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "requestBody" not in operation or "responses" not in operation:
                continue
            for status, description in BODY_ERRORS.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
    return result
