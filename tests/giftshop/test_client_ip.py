from django.test import RequestFactory

from giftshop.client_ip import client_ip, request_ip


def test_behind_our_proxy_the_last_forwarded_hop_is_the_client():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")

    assert client_ip(request) == "203.0.113.9"  # what our proxy saw; the first hop is the client's claim


def test_without_the_header_the_socket_address_counts():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")) == "198.51.100.4"


def test_a_forwarded_header_counts_only_behind_our_proxy(settings):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="198.51.100.4")

    settings.BEHIND_PROXY = False
    assert request_ip(request) == "198.51.100.4"  # no proxy of ours: the header is anyone's word
    settings.BEHIND_PROXY = True
    assert request_ip(request) == "6.6.6.6"
