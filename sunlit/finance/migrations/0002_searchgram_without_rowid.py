"""SQLite: the gram index as a WITHOUT ROWID table.

A composite primary key on an ordinary SQLite table is a second B-tree beside the rowid
table: every posting stored twice. WITHOUT ROWID stores the rows in the key's B-tree
itself, half the size and one lookup fewer. PostgreSQL keeps Django's table as it is.
"""

from django.db import migrations

SQLITE_TABLE = """
CREATE TABLE "finance_searchgram" (
    "township_code" varchar(12) NOT NULL,
    "gram" bigint NOT NULL,
    "text_id" bigint NOT NULL,
    PRIMARY KEY ("township_code", "gram", "text_id")
) WITHOUT ROWID
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('DROP TABLE "finance_searchgram"')
        schema_editor.execute(SQLITE_TABLE)


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
