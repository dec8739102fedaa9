"""OpenAPI pieces for the gifts API: error answers described by their codes."""

from drf_spectacular.utils import OpenApiResponse

from accounts.apis import ERROR


def error(description: str) -> OpenApiResponse:
    """An error answer in the one shape ({code, detail, fields?}); `description` names its codes."""
    return OpenApiResponse(ERROR, description=description)


NOT_AUTHENTICATED = error("not_authenticated")
NOT_FOUND = error("not_found: no such gift of yours")
THROTTLED = error("throttled: too many attempts; see Retry-After")
INVALID = error("invalid: some fields are not valid (see `fields`)")
