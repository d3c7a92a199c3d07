"""The session log becomes an `alize.workflow.TransitionLog`: its states keep their
values under the shared names (renamed, not dropped)."""

import django.core.validators
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comites", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="sessiontransition",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="sessiontransition",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="sessiontransition",
            name="delete_delete",
        ),
        migrations.RemoveConstraint(
            model_name="sessiontransition", name="session_transition_changes_status"
        ),
        migrations.RenameField("sessiontransition", "from_status", "from_state"),
        migrations.RenameField("sessiontransition", "to_status", "to_state"),
        migrations.RenameField("sessiontransitionevent", "from_status", "from_state"),
        migrations.RenameField("sessiontransitionevent", "to_status", "to_state"),
        migrations.AddField(
            model_name="sessiontransition",
            name="comment",
            field=models.TextField(
                blank=True,
                validators=[
                    django.core.validators.MaxLengthValidator(
                        2000, "Le commentaire tient en 2 000 caractères."
                    )
                ],
                verbose_name="commentaire",
            ),
        ),
        migrations.AddField(
            model_name="sessiontransitionevent",
            name="comment",
            field=models.TextField(
                blank=True,
                validators=[
                    django.core.validators.MaxLengthValidator(
                        2000, "Le commentaire tient en 2 000 caractères."
                    )
                ],
                verbose_name="commentaire",
            ),
        ),
        migrations.AlterField(
            model_name="sessiontransition",
            name="by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="par",
            ),
        ),
        migrations.AlterField(
            model_name="sessiontransition",
            name="from_state",
            field=models.CharField(
                choices=[
                    ("brouillon", "En préparation"),
                    ("convoquee", "Convoquée"),
                    ("ouverte", "En cours"),
                    ("close", "Close"),
                    ("signee", "Procès-verbal signé"),
                ],
                max_length=30,
                verbose_name="de l'état",
            ),
        ),
        migrations.AlterField(
            model_name="sessiontransition",
            name="to_state",
            field=models.CharField(
                choices=[
                    ("brouillon", "En préparation"),
                    ("convoquee", "Convoquée"),
                    ("ouverte", "En cours"),
                    ("close", "Close"),
                    ("signee", "Procès-verbal signé"),
                ],
                max_length=30,
                verbose_name="vers l'état",
            ),
        ),
        migrations.AlterField(
            model_name="sessiontransition",
            name="transition",
            field=models.CharField(max_length=30, verbose_name="transition"),
        ),
        migrations.AlterField(
            model_name="sessiontransitionevent",
            name="from_state",
            field=models.CharField(
                choices=[
                    ("brouillon", "En préparation"),
                    ("convoquee", "Convoquée"),
                    ("ouverte", "En cours"),
                    ("close", "Close"),
                    ("signee", "Procès-verbal signé"),
                ],
                max_length=30,
                verbose_name="de l'état",
            ),
        ),
        migrations.AlterField(
            model_name="sessiontransitionevent",
            name="to_state",
            field=models.CharField(
                choices=[
                    ("brouillon", "En préparation"),
                    ("convoquee", "Convoquée"),
                    ("ouverte", "En cours"),
                    ("close", "Close"),
                    ("signee", "Procès-verbal signé"),
                ],
                max_length=30,
                verbose_name="vers l'état",
            ),
        ),
        migrations.AlterField(
            model_name="sessiontransitionevent",
            name="transition",
            field=models.CharField(max_length=30, verbose_name="transition"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="sessiontransition",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "comites_sessiontransitionevent" ("at", "by_id", "comment", "from_state", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "session_id", "to_state", "transition") VALUES (NEW."at", NEW."by_id", NEW."comment", NEW."from_state", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."session_id", NEW."to_state", NEW."transition"); RETURN NULL;',
                    hash="1ce2f674d1440d1771087c1177fef35a3db2677f",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_bb916",
                    table="comites_sessiontransition",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="sessiontransition",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "comites_sessiontransitionevent" ("at", "by_id", "comment", "from_state", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "session_id", "to_state", "transition") VALUES (NEW."at", NEW."by_id", NEW."comment", NEW."from_state", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."session_id", NEW."to_state", NEW."transition"); RETURN NULL;',
                    hash="7792c31db02a0ce0bd13b4ac865bff35b941df07",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_7f7f6",
                    table="comites_sessiontransition",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="sessiontransition",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "comites_sessiontransitionevent" ("at", "by_id", "comment", "from_state", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "session_id", "to_state", "transition") VALUES (OLD."at", OLD."by_id", OLD."comment", OLD."from_state", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."session_id", OLD."to_state", OLD."transition"); RETURN NULL;',
                    hash="46a963e93f076f43735585177910b9d0bcd8a61a",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_7d2fd",
                    table="comites_sessiontransition",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="sessiontransition",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_state", models.F("to_state")), _negated=True),
                name="session_transition_changes_state",
                violation_error_message="Un changement d'état mène à un autre état.",
            ),
        ),
    ]
