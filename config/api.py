"""URLs of the REST API under /api/: each app's views, the OpenAPI schema
and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from shop.api.auth_token import ThrottledObtainAuthToken

router = DefaultRouter()

urlpatterns = [
    path("", include(router.urls)),
    path("token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]
