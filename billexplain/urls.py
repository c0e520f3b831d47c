from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # set_language: the language switch posts here; the choice lives in a cookie, never with a bill.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("billexplain.bills.urls")),
    path("", include("billexplain.coding.urls")),
]
