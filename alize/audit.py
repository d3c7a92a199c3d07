# ruff: noqa: S608 - the SQL is built from table and column names of the models, no user input
"""The audit trail, sealed.

The audit trail is every table whose rows are history: the events django-pghistory writes
for each tracked model, and the app's append-only tables (transition logs, votes,
decisions, payments...). Two guarantees keep it:

- **Nobody the app runs as can remove it.** The app connects as a role that owns nothing:
  after each migration (run as the owner role, see `DATABASES["owner"]`), that role may
  read and insert into the audit tables, never update, delete or truncate them; owning no
  table, it cannot disable their triggers either.
- **Any change is seen.** Each inserted row is sealed by a trigger: a row of
  `alize_auditseal` with the SHA-256 of the row's content chained to the previous seal of
  the same table. `verify()` (the `verify_audit_trail` command, a daily task) recomputes
  every chain and names the first broken link: a row altered, removed, or written with
  the triggers off.

The digest covers the row as PostgreSQL's `jsonb` writes it (keys in a fixed order), in
UTC, restricted to the columns the row had when sealed, so that a later migration adding
a column does not break old links.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

SEAL_TABLE = "alize_auditseal"
SEAL_FUNCTION = "alize_seal_row"
SEAL_TRIGGER = "alize_seal"


class AuditSeal(models.Model):
    """The seal of one audit row: its digest, chained to the previous seal of its table."""

    table_name = models.CharField("table", max_length=63)
    row_pk = models.CharField("identifiant de la ligne", max_length=40)
    keys = models.JSONField("colonnes scellées")
    previous_digest = models.CharField("empreinte précédente", max_length=64, blank=True)
    digest = models.CharField("empreinte", max_length=64)
    sealed_at = models.DateTimeField("scellée le")

    class Meta:
        app_label = "alize"
        verbose_name = "sceau du journal d'audit"
        verbose_name_plural = "sceaux du journal d'audit"
        ordering = ["table_name", "id"]
        indexes = [models.Index(fields=["table_name", "id"], name="audit_seal_chain")]
        constraints = [
            models.UniqueConstraint(fields=["table_name", "row_pk"], name="audit_seal_one_per_row")
        ]

    def __str__(self):
        return f"{self.table_name} #{self.row_pk}"


def _is_append_only(model) -> bool:
    import pgtrigger

    for trigger in getattr(model._meta, "triggers", []):
        if isinstance(trigger, pgtrigger.Protect) and trigger.condition is None:
            operation = str(trigger.operation).upper()
            if "UPDATE" in operation and "DELETE" in operation:
                return True
    return False


def audit_models() -> list[type[models.Model]]:
    """The models whose rows are history: pghistory's events and the append-only tables."""
    from pghistory.models import Event

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model is AuditSeal:
            continue
        if issubclass(model, Event) or _is_append_only(model):
            found.append(model)
    return sorted(found, key=lambda model: model._meta.db_table)


# The digest of a row: the previous seal's digest, the table's name and the row's jsonb.
# `payload` is the jsonb restricted to the sealed keys when verifying.
def _digest_sql(previous: str, table: str, payload: str) -> str:
    return (
        f"encode(sha256(convert_to({previous} || '|' || {table} || '|' || ({payload})::text,"
        " 'UTF8')), 'hex')"
    )


# SECURITY DEFINER: the seal table is written by the owner's function only; the app's role
# may read it, never write it.
SEAL_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {SEAL_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET timezone = 'UTC'
AS $$
DECLARE
    body jsonb := to_jsonb(NEW);
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('{SEAL_TABLE}'), hashtext(TG_TABLE_NAME));
    SELECT digest INTO previous FROM {SEAL_TABLE}
        WHERE table_name = TG_TABLE_NAME ORDER BY id DESC LIMIT 1;
    previous := coalesce(previous, '');
    INSERT INTO {SEAL_TABLE} (table_name, row_pk, keys, previous_digest, digest, sealed_at)
    VALUES (
        TG_TABLE_NAME,
        body ->> TG_ARGV[0],
        to_jsonb(ARRAY(SELECT jsonb_object_keys(body) ORDER BY 1)),
        previous,
        {_digest_sql("previous", "TG_TABLE_NAME", "body")},
        now()
    );
    RETURN NULL;
END
$$;
"""


def install(connection, *, app_role: str | None = None) -> list[str]:
    """Seal every audit table (idempotent) and, when the app connects as another role than
    the one migrating, grant that role what it needs and nothing more. The tables sealed."""
    tables = [model._meta.db_table for model in audit_models()]
    with connection.cursor() as cursor:
        # A flush emits post_migrate too: when every table is sealed already, stop here.
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND c.relname = ANY(%s)",
            [SEAL_TRIGGER, tables],
        )
        if cursor.fetchone()[0] < len(tables):
            cursor.execute(SEAL_FUNCTION_SQL)
            for model in audit_models():
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(
                    f'CREATE OR REPLACE TRIGGER {SEAL_TRIGGER} AFTER INSERT ON "{table}" '
                    f"FOR EACH ROW EXECUTE FUNCTION {SEAL_FUNCTION}('{pk}')"
                )
        if app_role:
            _grant(cursor, app_role, tables)
    return tables


def _grant(cursor, role: str, audit_tables: list[str]) -> None:
    quoted = connection_quote(role)
    cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}")
    cursor.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"
    )
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    for table in [*audit_tables, SEAL_TABLE]:
        cursor.execute(f'REVOKE UPDATE, DELETE ON "{table}" FROM {quoted}')
    cursor.execute(f'REVOKE INSERT ON "{SEAL_TABLE}" FROM {quoted}')


def connection_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Break:
    """The first broken link of a table's chain."""

    table: str
    seal_id: int | None
    row_pk: str
    reason: str

    def __str__(self):
        return f"{self.table}, ligne {self.row_pk} : {self.reason}"


def _first_break(cursor, model) -> Break | None:
    table, pk = model._meta.db_table, model._meta.pk.column
    payload = "(SELECT jsonb_object_agg(j.key, j.value) FROM jsonb_each(to_jsonb(e)) AS j"
    payload += " WHERE s.keys ? j.key)"
    digest = _digest_sql("s.previous_digest", "s.table_name", payload)
    cursor.execute(
        f"""
        WITH chain AS (
            SELECT s.*, coalesce(lag(s.digest) OVER (ORDER BY s.id), '') AS expected
            FROM {SEAL_TABLE} s WHERE s.table_name = %s
        )
        SELECT s.id, s.row_pk,
            CASE
                WHEN s.previous_digest <> s.expected THEN 'le maillon précédent a disparu'
                WHEN e.{pk} IS NULL THEN 'la ligne a été supprimée'
                WHEN s.digest <> {digest} THEN 'la ligne a été modifiée'
            END AS reason
        FROM chain s LEFT JOIN "{table}" e ON e.{pk}::text = s.row_pk
        WHERE s.previous_digest <> s.expected OR e.{pk} IS NULL OR s.digest <> {digest}
        ORDER BY s.id LIMIT 1
        """,
        [table],
    )
    row = cursor.fetchone()
    if row:
        return Break(table, row[0], row[1], row[2])
    cursor.execute(
        f"""
        SELECT e.{pk}::text FROM "{table}" e
        WHERE NOT EXISTS (
            SELECT 1 FROM {SEAL_TABLE} s WHERE s.table_name = %s AND s.row_pk = e.{pk}::text
        )
        ORDER BY e.{pk} LIMIT 1
        """,
        [table],
    )
    row = cursor.fetchone()
    if row:
        unsealed = "la ligne n'a pas de sceau (écrite sans les déclencheurs)"
        return Break(table, None, row[0], unsealed)
    return None


@dataclass(frozen=True)
class Verification:
    tables: int
    seals: int
    breaks: list[Break]
    heads: dict[str, str]

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify(connection) -> Verification:
    """Recompute every chain: the first broken link of each table, and each chain's head
    (its last digest), to be kept outside the database."""
    breaks = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL timezone = 'UTC'")  # as the sealing function writes rows
        models_ = audit_models()
        for model in models_:
            found = _first_break(cursor, model)
            if found:
                breaks.append(found)
        cursor.execute(
            f"""
            SELECT DISTINCT ON (table_name) table_name, digest FROM {SEAL_TABLE}
            ORDER BY table_name, id DESC
            """
        )
        heads = dict(cursor.fetchall())
        cursor.execute(f"SELECT count(*) FROM {SEAL_TABLE}")
        seals = cursor.fetchone()[0]
    return Verification(tables=len(models_), seals=seals, breaks=breaks, heads=heads)


def _payload_sql(alias: str = "e") -> str:
    """The row's jsonb restricted to the keys its seal covers, as `_first_break` reads it."""
    return (
        f"(SELECT jsonb_object_agg(j.key, j.value) FROM jsonb_each(to_jsonb({alias})) AS j"
        " WHERE s.keys ? j.key)"
    )


def reseal(connection, model, row_pks) -> dict:
    """Seal again rows of an audit table that were rewritten on purpose (the GDPR redaction
    of personal fields, `rgpd.services`): recompute the digest of each of these rows and of
    every link after the first of them, so that the chain stays whole. To be called in the
    transaction that rewrote the rows, through a connection allowed to write the seal table
    (the owner's, `DATABASES["owner"]`, in production; the default in a one-role install).

    Returns what the redaction log keeps: the rewritten rows' digests before
    (`digests_before`), the chain's head before and after (`head_before`, `head_after`) and
    the number of seals rewritten (`resealed`)."""
    import hashlib

    table, pk = model._meta.db_table, model._meta.pk.column
    row_pks = [str(value) for value in row_pks]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL timezone = 'UTC'")  # as the sealing function reads rows
        # The sealing function's lock: no insert into this table's chain meanwhile.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", [SEAL_TABLE, table]
        )
        cursor.execute(
            f"SELECT row_pk, digest, id FROM {SEAL_TABLE} "
            "WHERE table_name = %s AND row_pk = ANY(%s) ORDER BY id",
            [table, row_pks],
        )
        found = cursor.fetchall()
        cursor.execute(
            f"SELECT digest FROM {SEAL_TABLE} WHERE table_name = %s ORDER BY id DESC LIMIT 1",
            [table],
        )
        head = cursor.fetchone()
        result = {
            "digests_before": {row[0]: row[1] for row in found},
            "head_before": head[0] if head else "",
            "head_after": head[0] if head else "",
            "resealed": 0,
        }
        if not found:
            return result
        first_id = found[0][2]
        cursor.execute(
            f"""
            SELECT s.id, s.row_pk, s.previous_digest, s.digest, ({_payload_sql()})::text,
                coalesce((SELECT p.digest FROM {SEAL_TABLE} p WHERE p.table_name = s.table_name
                          AND p.id < s.id ORDER BY p.id DESC LIMIT 1), '')
            FROM {SEAL_TABLE} s LEFT JOIN "{table}" e ON e.{pk}::text = s.row_pk
            WHERE s.table_name = %s AND s.id >= %s ORDER BY s.id
            """,
            [table, first_id],
        )
        links = cursor.fetchall()

        def digest_of(previous: str, payload: str) -> str:
            return hashlib.sha256(f"{previous}|{table}|{payload}".encode()).hexdigest()

        previous = old_previous = links[0][5]
        rewritten, targets = [], set(row_pks)
        for seal_id, row_pk, sealed_previous, sealed_digest, payload, _ in links:
            # Never launder a tampering: every link resealed, other than the rows rewritten
            # on purpose, must be intact as it stands.
            intact = sealed_previous == old_previous and payload is not None
            if row_pk not in targets and not (
                intact and digest_of(sealed_previous, payload) == sealed_digest
            ):
                raise ValueError(
                    f"{table} : chaîne rompue à la ligne {row_pk}, rien n'est rescellé"
                )
            if payload is None:
                raise ValueError(f"{table} : la ligne {row_pk} a disparu, rien n'est rescellé")
            digest = digest_of(previous, payload)
            rewritten.append((previous, digest, seal_id))
            previous, old_previous = digest, sealed_digest
        # One statement (the request's history context wraps `execute`, not `executemany`).
        cursor.execute(
            f"UPDATE {SEAL_TABLE} s SET previous_digest = v.previous, digest = v.digest "
            "FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS v(previous, digest, id) "
            "WHERE s.id = v.id",
            [list(column) for column in zip(*rewritten, strict=True)],
        )
        result.update(head_after=previous, resealed=len(rewritten))
    return result
