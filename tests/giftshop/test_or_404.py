"""giftshop.views.or_404: how a page view turns "not found, or not yours" into its 404."""

import pytest
from django.http import Http404

from giftshop.errors import Conflict, NotFound
from giftshop.views import or_404


def _access(*, thing_id):
    if thing_id == 1:
        return "yours"
    if thing_id == 2:
        raise Conflict("Not now.")
    raise NotFound()


def test_what_is_found_is_returned():
    assert or_404(_access, thing_id=1) == "yours"


def test_not_found_is_the_page_404():
    with pytest.raises(Http404) as raised:
        or_404(_access, thing_id=3)

    # raised "from None": the traceback carries no NotFound, chained or as context
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_other_domain_errors_go_on_as_they_are():
    with pytest.raises(Conflict):
        or_404(_access, thing_id=2)
