from django.contrib.auth import views as auth_views
from django.urls import path

from .views import accounts, cart, catalog, marketing

app_name = "shop"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("category/<slug:slug>/", catalog.category, name="category"),
    path("products/<slug:slug>/", catalog.product, name="product"),
    path("search/", catalog.search, name="search"),
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/add/", cart.cart_add, name="cart-add"),
    path("cart/lines/<int:line_id>/", cart.cart_line_update, name="cart-line-update"),
    path(
        "cart/lines/<int:line_id>/remove/",
        cart.cart_line_remove,
        name="cart-line-remove",
    ),
    path("account/", accounts.account, name="account"),
    path("account/marketing/", marketing.account_marketing, name="account-marketing"),
    path("account/login/", accounts.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/signup/", accounts.signup, name="signup"),
    path(
        "account/confirm/resend/",
        accounts.resend_confirmation,
        name="resend-confirmation",
    ),
    path(
        "account/confirm/<str:token>/",
        accounts.confirm_email_view,
        name="confirm-email",
    ),
    path(
        "account/password-reset/",
        accounts.PasswordResetView.as_view(),
        name="password-reset",
    ),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "account/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("mailing-list/", marketing.mailing_list, name="mailing-list"),
    path(
        "mailing-list/unsubscribe/<str:token>/",
        marketing.unsubscribe_view,
        name="unsubscribe",
    ),
]
