"""URLs of the REST API under /api/: each app's views, the OpenAPI schema
and its browsable docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounting.api import AccountViewSet, JournalEntryViewSet
from fulfillment.api import ShipmentViewSet
from inventory.api import PurchaseOrderViewSet, StockAdjustmentViewSet
from orders.api import OrderViewSet
from orders.api_counter import CounterSaleViewSet
from shop.api.auth_token import ThrottledObtainAuthToken
from shop.api.catalog import ProductViewSet, VariantViewSet
from shop.api.customers import CustomerViewSet
from shop.api.errors import endpoint_not_found

router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
router.register("variants", VariantViewSet, basename="variant")
router.register("customers", CustomerViewSet, basename="customer")
router.register("orders", OrderViewSet, basename="order")
router.register("accounts", AccountViewSet, basename="account")
router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")
router.register(
    "stock-adjustments", StockAdjustmentViewSet, basename="stock-adjustment"
)
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("counter-sales", CounterSaleViewSet, basename="counter-sale")

urlpatterns = [
    path("", include(router.urls)),
    path("token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    # Last, so it receives only URLs that no endpoint matched. It requires the
    # trailing slash, so CommonMiddleware still redirects "/api/orders" to
    # "/api/orders/" (APPEND_SLASH) instead of this returning 404.
    re_path(r"^.*/$", endpoint_not_found),
]
