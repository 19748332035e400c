"""Append-only tables, enforced by the database itself.

The application's own code (or anyone with its credentials and a SQL prompt) must not be
able to quietly rewrite the audit log or a published snapshot. Triggers make UPDATE and
DELETE fail on SQLite and PostgreSQL alike; only dropping the trigger (a schema change,
visible in the database's own logs) gets past them — and `sunlit verify` catches that.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

MESSAGE = "append-only table: %s rows cannot be updated or deleted"


def _create(table: str) -> Any:
    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for statement in create_sql(table, vendor):
            schema_editor.execute(statement, params=None)

    return forwards


def _drop(table: str) -> Any:
    def backwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for statement in drop_sql(table, vendor):
            schema_editor.execute(statement, params=None)

    return backwards


def create_sql(table: str, vendor: str) -> list[str]:
    msg = MESSAGE % table
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{msg}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{msg}'); END",
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION sunlit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'append-only table: % rows cannot be updated or deleted', "
            "TG_TABLE_NAME; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sunlit_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION sunlit_append_only()",
        ]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def drop_sql(table: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


def AppendOnly(table: str) -> migrations.RunPython:
    """A migration operation that makes `table` append-only."""
    return migrations.RunPython(_create(table), _drop(table))
