from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # ADMIN_URL (default admin/): an address of the operator's choosing keeps most robots away.
    path(settings.ADMIN_URL, admin.site.urls),
    # set_language: the language switch posts here; the choice lives in a cookie, never with a bill.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("billexplain.bills.urls")),
    path("", include("billexplain.coding.urls")),
]
