from django.urls import path

from billexplain.bills import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("api/explain", api.explain, name="api-explain"),
    path("api/schema", api.schema, name="api-schema"),
]
