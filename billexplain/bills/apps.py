import threading

from django.apps import AppConfig


class BillsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billexplain.bills"
    verbose_name = "Bills"

    def ready(self):
        # The diagnosis code list takes seconds to load; load it in the background so the
        # first patient whose bill lists diagnoses does not wait for it.
        from billexplain.coding import diagnoses

        threading.Thread(target=diagnoses.preload, name="icd-preload", daemon=True).start()
