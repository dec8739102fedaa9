from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("orders/", views.order_list, name="list"),
    path("orders/new/", views.buy, name="buy"),
    path("orders/<int:order_id>/", views.order_detail, name="detail"),
    path("orders/<int:order_id>/pay/", views.pay, name="pay"),
    path("pay/sandbox/<str:ref>/", views.sandbox_checkout, name="sandbox-checkout"),
    path("pay/wechat/", views.wechat_pay, name="wechat-pay"),
    path("pay/wechat/h5/", views.wechat_h5, name="wechat-h5"),
]
