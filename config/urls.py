from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Ledgerfront back office"
admin.site.site_title = "Ledgerfront"

# MEDIA_ROOT contains customers' documents and is never served as a folder,
# not even with DEBUG on. Each kind of document has a view that checks
# access first (shop/downloads.py).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api")),
    path("", include("orders.urls")),
    path("", include("shop.urls")),
]
