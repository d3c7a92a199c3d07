from django.db import migrations

NAME = "coordinateur_entreprise"


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def delete_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("alize", "0002_create_roles")]

    operations = [migrations.RunPython(create_role, delete_role)]
