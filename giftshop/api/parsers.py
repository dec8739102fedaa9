"""The JSON parser REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] names. A leaf module: it imports
nothing that reads DRF's settings at import time (see giftshop/api/__init__.py)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.parsers import JSONParser as DrfJSONParser


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, and a body nested too deeply for Python's parser (`[[[[...`, a few
    kilobytes are enough) is a 400 parse_error like any other malformed JSON, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise drf.ParseError(_("JSON parse error - the body is nested too deeply.")) from None
