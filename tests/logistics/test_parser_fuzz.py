"""Fuzzing the parsers of carrier pushes (sandbox, AfterShip, Kuaidi100) and of the CSV dispatch
upload: whatever comes in, each returns its normal result or raises its own error, the one its
callers catch (InvalidSignature for a push, the view's 400; InvalidInput or PayloadTooLarge on the
field "file" for the CSV). Nothing else escapes: no KeyError, TypeError, ValueError, UnicodeError,
RecursionError, OverflowError or csv.Error.

A push that parses must be one the worker can apply: every checkpoint's texts are str, its time is
aware, its status is one of ours, and it survives the outbox (as_payload, JSON, from_payload).
Pushes are fuzzed unsigned, and correctly signed from generated payloads, so the fuzz reaches
the field parsing."""

import codecs
import csv
import io
import json
import time
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http.request import HttpHeaders
from hypothesis import example, given
from hypothesis import strategies as st

from giftshop import signing
from giftshop.errors import InvalidInput, PayloadTooLarge
from giftshop.storable import unstorable
from logistics.carriers import aftership, kuaidi100
from logistics.carriers.base import Checkpoint, InvalidSignature, TrackingUpdate
from logistics.carriers.sandbox import SIGNATURE_HEADER as SANDBOX_HEADER
from logistics.carriers.sandbox import SandboxCarrier
from logistics.models import Shipment
from logistics.services.bulk_dispatch import MAX_ROWS, DispatchRow, dispatch_file_parse
from tests.fuzz_inputs import (
    DEEP,
    any_char,
    any_text,
    arbitrary_bytes,
    dump,
    dump_bytes,
    fuzz_settings,
    header_text,
    json_values,
    mostly,
    returns_or_raises,
    shaped,
)

FUZZ = fuzz_settings(120)
AFTERSHIP_SECRET = "aftership-fuzz-secret"
KUAIDI100_SALT = "kuaidi100-fuzz-salt"
STATUSES = set(Shipment.Status.values)


def headers_of(values: dict) -> HttpHeaders:
    return HttpHeaders({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in values.items() if v is not None})


# --- what a parsed push must be ------------------------------------------------------------


def usable_updates(updates):
    assert isinstance(updates, list)
    for update in updates:
        assert isinstance(update, TrackingUpdate)
        assert isinstance(update.carrier, str) and isinstance(update.tracking_number, str)
        assert isinstance(update.checkpoints, list)
        for c in update.checkpoints:
            assert isinstance(c, Checkpoint)
            assert all(isinstance(v, str) for v in (c.key, c.status, c.raw_status, c.location, c.description)), c
            assert isinstance(c.occurred_at, datetime) and c.occurred_at.utcoffset() is not None, c
            assert c.status in STATUSES, c
        payload = update.as_payload()
        assert TrackingUpdate.from_payload(json.loads(json.dumps(payload))) == update
        if unstorable(payload) is None:  # else the view refuses it (400), which is its job
            dump(payload).encode()


def parse_sandbox(headers, body):
    return returns_or_raises(lambda: SandboxCarrier().parse_webhook(headers=headers, body=body),
                             InvalidSignature, usable_updates)


def parse_aftership(headers, body):
    return returns_or_raises(lambda: aftership.parse_push(secret=AFTERSHIP_SECRET, headers=headers, body=body),
                             InvalidSignature, usable_updates)


def parse_kuaidi100(body):
    return returns_or_raises(lambda: kuaidi100.parse_push(salt=KUAIDI100_SALT, body=body),
                             InvalidSignature, usable_updates)


# --- generated times and payloads ------------------------------------------------------------

aware = st.datetimes(timezones=st.timezones())
iso_times = st.one_of(
    aware.map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),  # naive
    aware.map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.sampled_from(["2024-05-01", "2024-05-01T10:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                     "2024-13-01T00:00:00", "", "Z"]),
    any_text,
)
china_times = st.one_of(st.datetimes(min_value=datetime(1000, 1, 1)).map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
                        st.sampled_from(["2024-02-30 10:00:00", " 2024-05-01 10:00:00 ", ""]), any_text)
short_text = st.one_of(st.sampled_from(["", "Shanghai", "广东,深圳市"]), any_text, st.just("x" * 400))

sandbox_push = mostly(shaped({
    "tracking_number": st.from_regex(r"(DLV|FAIL|RTN)[0-9]{1,6}", fullmatch=True) | any_text,
    "checkpoints": mostly(st.lists(mostly(shaped({
        "index": st.integers(0, 10) | any_text,
        "code": st.sampled_from(["ACCEPTED", "IN_TRANSIT", "DELIVERED", "BOGUS"]) | json_values,
        "time": iso_times,
        "location": short_text,
        "description": short_text,
    })), max_size=4)),
}))

aftership_checkpoint = shaped({
    "checkpoint_time": iso_times,
    "tag": st.sampled_from(["InTransit", "Delivered", "Exception", "Nope"]) | json_values,
    "subtag": st.sampled_from(["", "Exception_010", "InTransit_001"]) | json_values,
    "message": short_text,
    "city": short_text, "state": short_text, "country_iso3": short_text, "location": short_text,
})
aftership_push = mostly(shaped({
    "event": st.just("tracking_update"),
    "event_id": any_text,
    "ts": st.integers(-(2**40), 2**40) | st.sampled_from([10**20, 1.5, "1714550400"]),
    "msg": mostly(shaped({
        "tracking_number": st.from_regex(r"SF[0-9]{1,10}", fullmatch=True) | json_values,
        "tag": st.sampled_from(["InTransit", "Delivered", "Exception"]) | json_values,
        "subtag": st.sampled_from(["", "Exception_011"]) | json_values,
        "updated_at": iso_times | st.integers(-(2**40), 2**40) | st.just(10**20),
        "checkpoints": mostly(st.lists(mostly(aftership_checkpoint), max_size=3)),
    })),
}))

kuaidi100_item = shaped({
    "context": short_text, "time": china_times, "ftime": china_times, "areaName": short_text,
    "statusCode": st.sampled_from(["0", "3", "301", "999"]) | json_values,
})
kuaidi100_param = mostly(shaped({
    "status": st.sampled_from(["polling", "shutdown", "abort", "updateall"]) | json_values,
    "message": short_text,
    "lastResult": mostly(shaped({
        "state": st.sampled_from(["0", "3", "5", "14"]) | json_values,
        "nu": st.from_regex(r"SF[0-9]{1,10}", fullmatch=True) | json_values,
        "data": mostly(st.lists(mostly(kuaidi100_item), max_size=3)),
    })),
}))


# --- sandbox carrier ---------------------------------------------------------------------------


@FUZZ
@given(body=arbitrary_bytes, signature=st.none() | header_text | st.builds(
    lambda t, v: f"t={t},v1={v}", st.sampled_from(["1" + "0" * 400, "١٧١٤٥٥٠٤٠٠", "²", "-1"]) | header_text,
    header_text))
@example(body=b"{}", signature="t=1" + "0" * 400 + ",v1=00")  # no float holds that timestamp: OverflowError
@example(body=b"{}", signature=f"t={int(time.time())},v1=\u00e9")  # compare_digest refuses non-ASCII str
def test_sandbox_any_body_any_signature(body, signature):
    parse_sandbox(headers_of({SANDBOX_HEADER: signature}), body)


@FUZZ
@given(push=sandbox_push | json_values)
@example(push=DEEP[2])  # nested too deeply
@example(push={"tracking_number": "DLV1", "checkpoints": [
    {"index": 0, "code": "ACCEPTED", "time": "2024-05-01T10:00:00", "location": "", "description": ""}]})  # naive
@example(push={"tracking_number": "DLV1", "checkpoints": [
    {"index": 0, "code": {}, "time": "2024-05-01T10:00:00+08:00", "location": 5, "description": None}]})
def test_sandbox_pushes_correctly_signed(push):
    body = dump_bytes(push)
    parse_sandbox(headers_of({SANDBOX_HEADER: signing.sign(settings.SANDBOX_CARRIER_SECRET, body)}), body)


# --- AfterShip ---------------------------------------------------------------------------------


@FUZZ
@given(body=arbitrary_bytes, signature=st.none() | header_text)
@example(body=b"{}", signature="\ud800")  # found: str.encode() of the header raised UnicodeEncodeError
def test_aftership_any_body_any_signature(body, signature):
    parse_aftership(headers_of({aftership.SIGNATURE_HEADER: signature}), body)


@FUZZ
@given(push=aftership_push | json_values)
@example(push=DEEP[2])  # nested too deeply
@example(push={"msg": {"tracking_number": "SF1", "checkpoints": [
    {"checkpoint_time": "2024-05-01T10:00:00Z", "tag": 5, "subtag": ""}]}})  # raw status not a str
@example(push={"msg": {"tracking_number": "SF1", "tag": "InTransit", "updated_at": 10**20}})
def test_aftership_pushes_correctly_signed(push):
    body = dump_bytes(push)
    parse_aftership(headers_of({aftership.SIGNATURE_HEADER: aftership.sign(AFTERSHIP_SECRET, body)}), body)


# --- Kuaidi100 ---------------------------------------------------------------------------------


@FUZZ
@given(body=st.one_of(
    arbitrary_bytes,
    st.builds(lambda p, s: urlencode({"param": p, "sign": s}, encoding="utf-8", errors="surrogatepass").encode(),
              header_text, header_text),
))
def test_kuaidi100_any_form(body):
    parse_kuaidi100(body)


@FUZZ
@given(param=kuaidi100_param | json_values, ascii_only=st.booleans())
@example(param=DEEP[2], ascii_only=True)  # nested too deeply
@example(param={"status": "abort", "lastResult": {"nu": "SF1", "data": []}}, ascii_only=True)
def test_kuaidi100_pushes_correctly_signed(param, ascii_only):
    text = dump(param)
    if not ascii_only:  # Kuaidi100 sends Chinese as it is, not as \\u escapes
        text = json.dumps(json.loads(text, parse_constant=str), ensure_ascii=False) if _loads(text) else text
        text = text.encode("utf-8", "replace").decode()
    parse_kuaidi100(urlencode({"param": text, "sign": kuaidi100.sign(KUAIDI100_SALT, text)}).encode())


def _loads(text):
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def test_real_pushes_still_parse():
    """The fuzz's own footing: each carrier's well-formed push is an update (not only refusals)."""
    body = json.dumps({"tracking_number": "DLV1", "checkpoints": [
        {"index": 0, "code": "ACCEPTED", "time": "2024-05-01T10:00:00+08:00", "location": "", "description": ""}]})
    body = body.encode()
    assert parse_sandbox(headers_of({SANDBOX_HEADER: signing.sign(settings.SANDBOX_CARRIER_SECRET, body)}), body)
    body = json.dumps({"msg": {"tracking_number": "SF1", "checkpoints": [
        {"checkpoint_time": "2024-05-01T10:00:00Z", "tag": "InTransit", "subtag": "InTransit_001"}]}}).encode()
    assert parse_aftership(headers_of({aftership.SIGNATURE_HEADER: aftership.sign(AFTERSHIP_SECRET, body)}), body)
    param = json.dumps({"status": "polling", "lastResult": {"nu": "SF1", "state": "0", "data": [
        {"context": "揽收", "time": "2024-05-01 10:00:00"}]}}, ensure_ascii=False)
    assert parse_kuaidi100(urlencode({"param": param, "sign": kuaidi100.sign(KUAIDI100_SALT, param)}).encode())


# --- the CSV dispatch upload -----------------------------------------------------------------


def usable_rows(rows):
    assert isinstance(rows, list) and 0 < len(rows) <= MAX_ROWS
    numbers = [r.row for r in rows]
    assert numbers == sorted(set(numbers)) and numbers[0] >= 2
    for r in rows:
        assert isinstance(r, DispatchRow)
        assert all(isinstance(v, str) for v in (r.reference, r.shipment_id, r.carrier, r.tracking_number))
        assert isinstance(r.label, str)


def parse_csv(data):
    return returns_or_raises(lambda: dispatch_file_parse(data), (InvalidInput, PayloadTooLarge), usable_rows)


ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "gb18030", "shift_jis"]
COLUMNS = ["reference", "shipment_id", "carrier", "tracking_number", "Reference", " Tracking Number ",
           "\ufeffreference", "notes", ""]
formula_cells = st.sampled_from(["=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0",
                                 "\t=1", "\r=1"])
plain_cells = st.one_of(st.sampled_from(["", "SH-ABC123", "42", "sandbox", "Sandbox Express", "DLV1", " DLV2 "]),
                        formula_cells, st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=20),
                        st.text(any_char, max_size=5), st.sampled_from(['"', 'a"b', "a\nb", "a,b;c"]))


@st.composite
def cells(draw):
    """Mostly short cells; one in fifty is past the csv module's field limit (131072 characters)."""
    return "x" * 140_000 if draw(st.integers(0, 49)) == 49 else draw(plain_cells)


@st.composite
def csv_texts(draw):
    """A sheet: a header of some of the columns (any order, maybe missing some) and rows of cells,
    written properly quoted or naively joined, with any delimiter and line end."""
    if draw(st.integers(0, 3)):  # the columns named (maybe by id, in another case), in any order, with others
        named = [draw(st.sampled_from(["reference", "shipment_id", "Reference"])), "carrier",
                 draw(st.sampled_from(["tracking_number", " Tracking Number "]))]
        header = draw(st.permutations(named + draw(st.lists(st.sampled_from(COLUMNS), max_size=2))))
    else:
        header = draw(st.lists(st.sampled_from(COLUMNS), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    line_end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    rows = draw(st.lists(st.lists(cells(), max_size=len(header) + 2), max_size=6))
    if draw(st.booleans()):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    return line_end.join(delimiter.join(r) for r in [header, *rows])


def encoded(text, encoding, bom):
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")
    return (codecs.BOM_UTF8 if bom else b"") + data


@FUZZ
@given(data=arbitrary_bytes)
def test_csv_any_bytes(data):
    parse_csv(data)


@FUZZ
@given(text=csv_texts() | st.text(any_char), encoding=st.sampled_from(ENCODINGS) | st.just("utf-8"),
       bom=st.booleans())
@example(text="reference,carrier,tracking_number\nSH-1,sandbox,\ud800", encoding="utf-8", bom=False)
@example(text="reference,carrier,tracking_number\n" + "SH-1,sandbox,DLV1\n" * (MAX_ROWS + 1), encoding="utf-8",
         bom=True)
@example(text="reference,carrier,tracking_number\nSH-1,sandbox," + "x" * (1024 * 1024), encoding="utf-8", bom=False)
@example(text="reference;carrier;tracking_number\r\n\"SH-1;sandbox;DLV1", encoding="utf-8", bom=False)
@example(text="reference,carrier,tracking_number\nSH-1,sandbox,DLV1", encoding="utf-16", bom=False)
@example(text="référence,carrier,tracking_number\nSH-1,sandbox,DLV1", encoding="latin-1", bom=False)
def test_csv_sheets_in_any_encoding(text, encoding, bom):
    parse_csv(encoded(text, encoding, bom))


@FUZZ
@given(rows=st.lists(st.tuples(cells(), cells(), cells()), min_size=1, max_size=5), bom=st.booleans())
@example(rows=[("=HYPERLINK(\"http://x\")", "sandbox", "+1")], bom=True)
def test_a_well_formed_sheet_reads_back_its_cells(rows, bom):
    """Formula-looking cells, quotes and line breaks inside cells come back as written (stripped):
    the parser neither runs nor mangles them; the re-exported sheet neutralises them (_sheet_cell)."""
    out = io.StringIO()
    csv.writer(out).writerows([("reference", "carrier", "tracking_number"), *rows])
    parsed = parse_csv(encoded(out.getvalue(), "utf-8", bom))
    kept = [r for r in rows if any(c.strip() for c in r)]
    if parsed is not None:
        assert [(r.reference, r.carrier, r.tracking_number) for r in parsed] == [tuple(c.strip() for c in r)
                                                                                 for r in kept]
