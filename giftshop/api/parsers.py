"""The JSON parser REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] names. A leaf module: it imports
nothing that reads DRF's settings at import time (see giftshop/api/__init__.py)."""

import json

from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.parsers import JSONParser as DrfJSONParser


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, with two more bodies that are a 400 parse_error like any other malformed
    JSON: one nested too deeply for Python's parser (`[[[[...`, a few kilobytes are enough), which
    would be a RecursionError, and one holding an unpaired surrogate escape (`"\\ud800"`), which JSON
    allows but no UTF-8 text can hold: it would fail later, wherever the string is encoded (a
    database, a cache key, an error message), as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            raise drf.ParseError(_("JSON parse error - the body is nested too deeply.")) from None
        except UnicodeEncodeError:
            raise drf.ParseError(_("JSON parse error - a string holds an unpaired surrogate.")) from None
        return data
