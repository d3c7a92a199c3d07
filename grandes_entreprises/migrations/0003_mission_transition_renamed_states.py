"""The mission log becomes an `alize.workflow.TransitionLog`: its states keep their
values under the shared names (renamed, not dropped). Migration 0004 then aligns the
fields, the constraint and the triggers with the shared declaration."""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("grandes_entreprises", "0002_seed_smic")]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="missiontransition", name="insert_insert"),
        pgtrigger.migrations.RemoveTrigger(model_name="missiontransition", name="update_update"),
        pgtrigger.migrations.RemoveTrigger(model_name="missiontransition", name="delete_delete"),
        migrations.RemoveConstraint(
            model_name="missiontransition", name="mission_transition_changes_status"
        ),
        migrations.RenameField("missiontransition", "from_status", "from_state"),
        migrations.RenameField("missiontransition", "to_status", "to_state"),
        migrations.RenameField("missiontransitionevent", "from_status", "from_state"),
        migrations.RenameField("missiontransitionevent", "to_status", "to_state"),
    ]
