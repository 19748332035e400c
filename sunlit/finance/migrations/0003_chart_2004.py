"""Ship the 2004 chart of accounts: every village's books before 2024 are kept in it.

The 2023 chart is loaded by an administrator (`sunlit finance chart load`), as any later
chart will be.
"""

from pathlib import Path

import yaml
from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "chart-2004.yaml"


def forwards(apps, schema_editor):
    Chart = apps.get_model("finance", "Chart")
    Account = apps.get_model("finance", "Account")
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    chart, _ = Chart.objects.update_or_create(
        code=data["code"],
        defaults={"name": data["name"], "document": data.get("document", ""),
                  "effective_from": data["effective_from"]},
    )
    for order, a in enumerate(data["accounts"], start=1):
        Account.objects.update_or_create(
            chart=chart, code=a["code"],
            defaults={"name": a["name"], "name_en": a.get("name_en", ""), "category": a["category"],
                      "side": a["side"], "cash": a.get("cash", ""), "optional": bool(a.get("optional")),
                      "carries_from": a.get("from", []), "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_searchgram_without_rowid")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
