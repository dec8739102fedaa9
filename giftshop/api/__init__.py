"""API plumbing shared by every app, as leaf modules that settings may name.

Settings name `giftshop.api.parsers.JSONParser`, `giftshop.api.pagination.Pagination`,
`giftshop.api.exceptions.exception_handler` and `giftshop.api.schema.document_page_errors`. DRF
imports them lazily, from inside `rest_framework.views` (whose `APIView` body reads those very
settings), so none of these modules may import `rest_framework.views` (or anything that imports
it: generics, viewsets, routers, decorators) when it is imported: that is an import cycle whose
appearance depends on which module happens to be imported first. This package's `__init__`
imports nothing. `tests/giftshop/test_import_order.py` imports every dotted path the settings name
first, in a fresh interpreter, to keep it so.

Every error under /api/ is {"code", "detail", "fields"?} (`responses.error_body`).

`serializers` is not named by the settings and may import DRF: the error shape for the OpenAPI
document (`ErrorSerializer`, the component `ApiError`, and `error_response`/`with_errors`) and
`StrictInputSerializer`, which every app's API imports from there.
"""
