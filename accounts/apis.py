"""/api/v1/auth/... and /api/v1/me/: register, get a token, read and edit your account."""

from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import (
    LOGIN_GROUP,
    LOGIN_USERNAME_GROUP,
    MAX_PASSWORD_LENGTH,
    REGISTER_GROUP,
    auth_token_for,
    login_rate,
    register_rate,
    user_authenticate,
    user_register,
    user_update_profile,
    username_key,
)
from giftshop.api.serializers import INVALID, NOT_AUTHENTICATED, THROTTLED, StrictInputSerializer, error_response
from giftshop.errors import InvalidInput
from giftshop.ratelimits import ratelimit


class PublicUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()

    class Meta:
        ref_name = "PublicUser"


class RegisterApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    class InputSerializer(StrictInputSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)
        email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
        display_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "Register"

    class OutputSerializer(serializers.Serializer):
        user = PublicUserSerializer()
        token = serializers.CharField()

        class Meta:
            ref_name = "Registered"

    @extend_schema(
        operation_id="auth_register",
        summary="Create an account and get its API token",
        request=InputSerializer,
        responses={201: OutputSerializer, 400: INVALID, 429: THROTTLED},
        auth=[],
    )
    @method_decorator(ratelimit(group=REGISTER_GROUP, key="ip", rate=register_rate, method="POST"))
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        body = {"user": user, "token": auth_token_for(user=user)}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    class InputSerializer(StrictInputSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)

        class Meta:
            ref_name = "Credentials"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

        class Meta:
            ref_name = "AuthToken"

    @extend_schema(
        operation_id="auth_token",
        summary="Exchange a username and password for an API token",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: error_response("invalid_credentials, or invalid (see `fields`)"),
            429: THROTTLED,
        },
        auth=[],
    )
    @method_decorator(ratelimit(group=LOGIN_GROUP, key="ip", rate=login_rate, method="POST"))
    @method_decorator(ratelimit(group=LOGIN_USERNAME_GROUP, key=username_key, rate=login_rate, method="POST"))
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_authenticate(request=request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise InvalidInput(_("The username or password is not right."), code="invalid_credentials")
        return Response(self.OutputSerializer({"token": auth_token_for(user=user)}).data)


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        display_name = serializers.CharField()
        email = serializers.EmailField()

        class Meta:
            ref_name = "Me"

    class UpdateSerializer(StrictInputSerializer):
        display_name = serializers.CharField(max_length=50, allow_blank=True)

        class Meta:
            ref_name = "MeUpdate"

    @extend_schema(
        operation_id="me_retrieve",
        summary="Your account",
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)

    @extend_schema(
        operation_id="me_update",
        summary="Change your display name",
        request=UpdateSerializer,
        responses={200: OutputSerializer, 400: INVALID, 401: NOT_AUTHENTICATED},
    )
    def patch(self, request):
        serializer = self.UpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = request.user
        if "display_name" in serializer.validated_data:
            user = user_update_profile(user=user, display_name=serializer.validated_data["display_name"])
        return Response(self.OutputSerializer(user).data)
