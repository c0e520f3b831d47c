import secrets

from django.db import migrations, models


def first_token(apps, schema_editor):
    apps.get_model("coding", "ReferenceVersion").objects.create(pk=1, token=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0004_spanish"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferenceVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
