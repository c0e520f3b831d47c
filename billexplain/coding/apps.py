from django.apps import AppConfig


class CodingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billexplain.coding"
    verbose_name = "Codes and explanations"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from billexplain.coding.models import Kept

        # Workers keep these rows in memory: every save or delete tells them to read again.
        for model in self.get_models():
            if issubclass(model, Kept):
                name = model.__name__
                post_save.connect(_changed, sender=model, dispatch_uid=f"reference-saved-{name}")
                post_delete.connect(_changed, sender=model, dispatch_uid=f"reference-deleted-{name}")


def _changed(sender, **kwargs):
    from billexplain.coding import reference

    reference.changed()
