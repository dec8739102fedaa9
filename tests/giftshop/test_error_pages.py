"""With DEBUG off (the default now, `make run` included) a visitor meets friendly error pages in the
shop's layout, and the API its JSON error shape, never a traceback."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.giftshop.boom_urls")]


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def test_a_bug_is_the_friendly_500_page(visitor):
    response = visitor.get("/boom/")

    assert response.status_code == 500
    text = response.content.decode()
    assert "RuntimeError" not in text and "Traceback" not in text and "a bug" not in text
    assert '<html lang="en">' in text  # the shop's own layout


def test_a_bug_under_the_api_is_json(visitor):
    response = visitor.get("/api/v1/boom/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_an_unknown_page_is_the_friendly_404(visitor):
    response = visitor.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 404
    assert "页面" in response.content.decode() or "找不到" in response.content.decode()


def test_when_the_500_page_itself_fails_a_plain_page_still_answers(visitor, monkeypatch):
    from giftshop import views

    def broken(*args, **kwargs):
        raise RuntimeError("the template failed too")

    monkeypatch.setattr(views, "render", broken)
    response = visitor.get("/boom/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode() and "出错了" in response.content.decode()
