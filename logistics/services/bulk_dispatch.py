"""Dispatch many parcels at once from a CSV file (the console's upload; an API could post the same).

The file: UTF-8 with or without a byte-order mark, a header row naming the columns `reference` (or
`shipment_id`), `carrier` and `tracking_number` (any order; other columns are ignored), separated
by commas (semicolons or tabs, as some spreadsheets export, work too); at most MAX_BYTES and
MAX_ROWS rows. `dispatch_file_parse` turns the bytes into rows or raises one file-level error
(InvalidInput / PayloadTooLarge on the field "file"): nothing is applied then.

`dispatch_rows_apply` is a pure function of (rows, store) → one outcome per row: each row is
dispatched on its own through tracking.shipment_dispatch (its own transaction, the same rules as
the one-by-one form and the API), so valid rows are applied and invalid rows are reported and
change nothing. A row naming another store's shipment is "not found", exactly like a reference
that does not exist: it is never looked at, let alone touched.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from giftshop.errors import DomainError, InvalidInput, PayloadTooLarge
from logistics.carriers import carrier_name, dispatch_choices
from logistics.models import Shipment
from logistics.services.tracking import shipment_dispatch
from stores.models import Store
from stores.selectors import ensure_store_member

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
DELIMITERS = (",", ";", "\t")
_ID_RE = re.compile(r"[0-9]{1,18}")
# Text files hold no control characters but tabs and line ends: anything else is a binary file.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LOOKUP_CHUNK = 500  # SQLite limits the parameters of one query


@dataclass(frozen=True)
class DispatchRow:
    row: int  # the row number a spreadsheet shows (the header is row 1)
    reference: str = ""  # the shipment's reference, or "" when the file names it by id
    shipment_id: str = ""
    carrier: str = ""
    tracking_number: str = ""

    @property
    def label(self) -> str:
        return self.reference or self.shipment_id


@dataclass(frozen=True)
class DispatchOutcome:
    row: int
    label: str  # the reference or id as written in the file
    ok: bool
    message: str
    code: str = ""  # the error's code ("not_found", "invalid", "shipment_not_pending"), "" when dispatched
    shipment_id: int | None = None  # set when dispatched


def _file_error(message, code="invalid_csv"):
    return InvalidInput(message, code=code, field="file")


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        message = _("The file is larger than 1 MB. Split it into smaller files of at most %(rows)s rows.") % {
            "rows": MAX_ROWS
        }
        raise PayloadTooLarge(message, fields={"file": [message]})
    not_csv = _("This is not a CSV file. Save your sheet as “CSV UTF-8” and upload that file.")
    if b"\x00" in data:
        raise _file_error(not_csv)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(not_csv) from None
    if _CONTROL_RE.search(text):
        raise _file_error(not_csv)
    if not text.strip():
        raise _file_error(_("The file is empty. Put the column names in the first row, then one parcel per row."))
    return text


def _columns(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lstrip("\ufeff").lower().replace(" ", "_") for cell in header]
    index = {}
    for position, name in enumerate(names):
        index.setdefault(name, position)
    if not ({"carrier", "tracking_number"} <= set(index) and {"reference", "shipment_id"} & set(index)):
        raise _file_error(
            _("The first row must name the columns: reference (or shipment_id), carrier, tracking_number."),
            code="invalid_csv_header",
        )
    return index


def dispatch_file_parse(data: bytes) -> list[DispatchRow]:
    """The rows of an uploaded dispatch file, or a file-level error (nothing applied)."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)  # a comma when none is more frequent
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        columns = _columns(next(reader))
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # spreadsheets leave blank rows at the end

            def cell(name, record=record):
                position = columns.get(name)
                return record[position].strip() if position is not None and position < len(record) else ""

            if len(rows) == MAX_ROWS:
                raise _file_error(
                    _("The file has more than %(rows)s parcels. Split it into smaller files.") % {"rows": MAX_ROWS},
                    code="too_many_rows",
                )
            rows.append(DispatchRow(
                row=number, reference=cell("reference"), shipment_id=cell("shipment_id"),
                carrier=cell("carrier"), tracking_number=cell("tracking_number"),
            ))
    except csv.Error:
        raise _file_error(
            _("This file could not be read as CSV. Save your sheet as “CSV UTF-8” and try again.")
        ) from None
    if not rows:
        raise _file_error(_("The file has no parcels: add one row per parcel under the column names."))
    return rows


def _carrier_code(value: str) -> str:
    """The carrier's code; merchants may also write its name as the console shows it."""
    wanted = value.strip().lower()
    for code, name in dispatch_choices():
        if wanted in (code.lower(), str(name).lower()):
            return code
    return value


def _shipments_named(store: Store, rows: list[DispatchRow]) -> tuple[dict, dict]:
    references = sorted({row.reference.upper() for row in rows if row.reference})
    ids = sorted({int(row.shipment_id) for row in rows if not row.reference and _ID_RE.fullmatch(row.shipment_id)})
    by_reference, by_id = {}, {}
    for start in range(0, max(len(references), len(ids)), _LOOKUP_CHUNK):
        wanted = Q(reference__in=references[start:start + _LOOKUP_CHUNK]) | Q(id__in=ids[start:start + _LOOKUP_CHUNK])
        for shipment in Shipment.objects.filter(wanted, store=store):
            # One object per shipment, so a parcel named twice in a file is dispatched once.
            shipment = by_id.setdefault(shipment.id, shipment)
            by_reference[shipment.reference.upper()] = shipment
    return by_reference, by_id


def _error_message(exc: DomainError) -> str:
    if exc.fields:
        return " ".join(str(message) for messages in exc.fields.values() for message in messages)
    return exc.detail


def dispatch_rows_apply(*, store: Store, rows: list[DispatchRow], actor) -> list[DispatchOutcome]:
    """Dispatch each row's parcel of `store` on its own, as `actor` (a member of the store: checked
    before any row); one outcome per row, in the file's order."""
    ensure_store_member(store_id=store.id, actor=actor)
    by_reference, by_id = _shipments_named(store, rows)
    outcomes = []
    for row in rows:
        if row.reference:
            shipment = by_reference.get(row.reference.upper())
        else:
            shipment = by_id.get(int(row.shipment_id)) if _ID_RE.fullmatch(row.shipment_id) else None
        if shipment is None:
            message = (
                _("No shipment of this store has this reference.") if row.label
                else _("Give the shipment's reference.")
            )
            outcomes.append(DispatchOutcome(row=row.row, label=row.label, ok=False, message=message, code="not_found"))
            continue
        try:
            shipment_dispatch(
                shipment=shipment, carrier=_carrier_code(row.carrier), tracking_number=row.tracking_number,
                actor=actor,
            )
        except DomainError as exc:
            outcomes.append(DispatchOutcome(
                row=row.row, label=row.label, ok=False, message=_error_message(exc), code=exc.code,
            ))
        else:
            outcomes.append(DispatchOutcome(
                row=row.row, label=row.label, ok=True, shipment_id=shipment.id,
                message=_("Dispatched: %(carrier)s %(tracking)s") % {
                    "carrier": carrier_name(shipment.carrier), "tracking": shipment.tracking_number,
                },
            ))
    return outcomes


def bulk_dispatch(*, store: Store, data: bytes, actor) -> list[DispatchOutcome]:
    """Parse an uploaded file and dispatch its rows (a file-level error raises before any row)."""
    ensure_store_member(store_id=store.id, actor=actor)
    return dispatch_rows_apply(store=store, rows=dispatch_file_parse(data), actor=actor)
