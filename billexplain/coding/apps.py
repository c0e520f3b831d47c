from django.apps import AppConfig


class CodingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billexplain.coding"
    verbose_name = "Codes and explanations"
