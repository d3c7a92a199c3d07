"""Create one group per role. Written without importing app code, as migrations must be."""

from django.db import migrations

ROLES = [
    "charge_de_mission",
    "responsable_operateur",
    "membre_comite_agrement",
    "comite_pilotage",
    "financeur",
    "administrateur",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alize", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
