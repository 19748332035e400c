from django.db import migrations

from sunlit.lib.appendonly import AppendOnly


class Migration(migrations.Migration):
    """Published entries and signed roots are never updated or deleted, by anyone."""

    dependencies = [("transparency", "0001_initial")]
    operations = [
        AppendOnly("transparency_entry"),
        AppendOnly("transparency_signedroot"),
    ]
