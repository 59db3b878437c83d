from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Ledgerfront back office"
admin.site.site_title = "Ledgerfront"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api")),
    path("", include("orders.urls")),
    path("", include("shop.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
