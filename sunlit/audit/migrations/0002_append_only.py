from django.db import migrations

from sunlit.lib.appendonly import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [AppendOnly("audit_auditevent")]
