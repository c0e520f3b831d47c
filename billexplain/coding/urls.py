from django.urls import path

from billexplain.coding import views

urlpatterns = [
    path("codes/", views.search, name="code-search"),
    path("codes/<str:code>/", views.code_page, name="code"),
]
