"""Domain errors: services raise these; the API handler and the page views render them.

Each has a stable machine `code` and an HTTP status. Imports no app.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_detail = _("The request could not be completed.")

    def __init__(self, detail=None, *, code=None, fields=None):
        self.detail = str(detail if detail is not None else self.default_detail)
        if code:
            self.code = code
        self.fields = fields
        super().__init__(self.detail)

    def as_dict(self):
        body = {"code": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in self.fields.items()}
        return body


class InvalidInput(DomainError):
    """Validation failed; `fields` maps a field name to its messages."""

    code = "invalid"
    status = 400
    default_detail = _("Some fields are not valid.")

    def __init__(self, detail=None, *, code=None, fields=None, field=None):
        if field and detail is not None and fields is None:
            fields = {field: [str(detail)]}
        super().__init__(detail, code=code, fields=fields)


class NotFound(DomainError):
    """Not found, or not yours: the two are never told apart."""

    code = "not_found"
    status = 404
    default_detail = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_detail = _("You are not allowed to do this.")


class Conflict(DomainError):
    """The object is not in the state the request needs."""

    code = "conflict"
    status = 409
    default_detail = _("This cannot be done in the current state.")


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413
    default_detail = _("The upload is too large.")


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_detail = _("This status change is not allowed.")


def clean_or_raise(obj, *, exclude=None):
    """Run a model's full_clean() and turn Django's ValidationError into InvalidInput(fields=...)."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        raise InvalidInput(fields=fields) from None
