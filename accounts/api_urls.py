"""Mounted under /api/v1/ by giftshop/api_urls.py."""

from django.urls import path

from accounts import apis

urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="api-auth-register"),
    path("auth/token/", apis.TokenApi.as_view(), name="api-auth-token"),
    path("me/", apis.MeApi.as_view(), name="api-me"),
]
