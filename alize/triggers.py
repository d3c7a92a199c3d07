"""The database triggers the models declare, written once.

Rows that are history (transition logs, votes, decisions, payments, fund movements) must
not change once written, and some rows may only be written while their parent is in a
given state. The models say so in `Meta.triggers` with these helpers, so that every such
rule raises the same way: a French message, SQLSTATE `check_violation`, which
`django.db.IntegrityError` carries to the services.

Messages and states are the code's own constants, never user input: they are written into
the trigger's SQL as literals.
"""

from collections.abc import Iterable, Sequence

import pgtrigger


def sql_text(text: str) -> str:
    """A constant as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_list(values: Iterable[str]) -> str:
    """Constants as the inside of an SQL `IN (…)` list."""
    return ", ".join(sql_text(value) for value in sorted(values))


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION {sql_text(message)} USING ERRCODE = 'check_violation';"


def append_only(name: str) -> pgtrigger.Protect:
    """History: a row is written once, then never updated nor deleted."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update | pgtrigger.Delete)


def never_deleted(name: str) -> pgtrigger.Protect:
    """A row that may be marked (reversed, undone) but never removed."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Delete)


def final_once_set(name: str, field: str) -> pgtrigger.Protect:
    """Once `field` is set (a reversal, an undoing), the row never changes again."""
    return pgtrigger.Protect(
        name=name,
        operation=pgtrigger.Update,
        condition=pgtrigger.Q(**{f"old__{field}__isnull": False}),
    )


def refuse_when(
    name: str, *, condition: pgtrigger.Condition, message: str, operation=None
) -> pgtrigger.Trigger:
    """Refuse any update or delete of a row in the state `condition` describes (a signed
    session, a closed vote), with a French message."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=operation or (pgtrigger.Update | pgtrigger.Delete),
        condition=condition,
        func=_raise(message),
    )


def guard(name: str, *, operation, checks: Sequence[tuple[str, str]]) -> pgtrigger.Trigger:
    """Refuse a write when one of `checks` holds: each is an SQL condition on NEW/OLD (most
    often `NOT EXISTS (SELECT 1 FROM … WHERE …)`) and the French message it raises, in
    order. A guard that covers deletes lets them through with OLD."""
    body = "\n".join(
        f"IF {condition} THEN {_raise(message)} END IF;" for condition, message in checks
    )
    if "DELETE" in str(operation).upper():
        body += "\nIF TG_OP = 'DELETE' THEN RETURN OLD; END IF;"
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=operation,
        func=f"{body}\nRETURN NEW;",
    )


def parent_missing(table: str, alias: str, key: str, condition: str) -> str:
    """The SQL condition « no row of `table` (aliased `alias`) with id `key` where
    `condition` holds »: what a guard refuses when a child row's parent is not in the
    right state."""
    return f"NOT EXISTS (SELECT 1 FROM {table} {alias} WHERE {alias}.id = {key} AND {condition})"  # noqa: S608


def insert_guard(name: str, condition: str, message: str) -> pgtrigger.Trigger:
    """A guard on inserts alone, with one check."""
    return guard(name, operation=pgtrigger.Insert, checks=[(condition, message)])


def no_overlap(
    name: str, *, table: str, scope: str, parent_table: str, message: str
) -> pgtrigger.Trigger:
    """No two rows of `table` with the same `scope` (a foreign key to `parent_table`) cover
    a common day, both ends included (`start_date` to `end_date`).

    An exclusion constraint would say it in one line, but it needs the btree_gist
    extension, which the embedded PostgreSQL (pgserver) does not ship. The trigger first
    locks the parent row, so that two concurrent writers are checked one after the other.
    SQLSTATE `exclusion_violation`, as the constraint would answer.
    """
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update,
        func=f"""
            PERFORM 1 FROM {parent_table} WHERE id = NEW.{scope} FOR UPDATE;
            IF EXISTS (
                SELECT 1 FROM {table} AS other
                WHERE other.{scope} = NEW.{scope}
                  AND other.id <> NEW.id
                  AND daterange(other.start_date, other.end_date, '[]')
                      && daterange(NEW.start_date, NEW.end_date, '[]')
            ) THEN
                RAISE EXCEPTION {sql_text(message)} USING ERRCODE = 'exclusion_violation';
            END IF;
            RETURN NEW;
        """,  # noqa: S608 - constants of the model, no user input
    )
