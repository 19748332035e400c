"""What a list item may authorise (`authorises:` in the list file), kept on each item row.

Versions loaded before the field existed get what the code allowed when they were in
force, so that the cases decided under them authorise the same records as before:

- a voucher: any approved case (finance asked for no particular item);
- a project: the items coded ZD-01 or ZD-03, or named 村级工程项目建设 or 物资和服务采购;
- a welfare payment: the item its programme named (`item_code` of welfare's programmes).

Versions loaded afterwards carry what their own file says.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

PROJECT_CODES = ("ZD-01", "ZD-03")
PROJECT_NAMES = ("村级工程项目建设", "物资和服务采购")


def backfill(apps: Any, schema_editor: Any) -> None:
    PowerItem = apps.get_model("powers", "PowerItem")
    Programme = apps.get_model("welfare", "Programme")
    programmes: dict[str, list[str]] = {}
    for code, item_code in Programme.objects.values_list("code", "item_code").order_by("code"):
        programmes.setdefault(item_code, []).append(f"welfare.payment:{code}")
    for item in PowerItem.objects.all().only("id", "code", "name_zh"):
        kinds = ["finance.voucher"]
        if item.code in PROJECT_CODES or item.name_zh in PROJECT_NAMES:
            kinds.append("projects.project")
        kinds += programmes.get(item.code, [])
        PowerItem.objects.filter(pk=item.pk).update(authorises=kinds)


class Migration(migrations.Migration):
    dependencies = [
        ("powers", "0001_initial"),
        # Read for the backfill only: which item each programme named.
        ("welfare", "0002_programmes"),
    ]

    operations = [
        migrations.AddField(
            model_name="poweritem",
            name="authorises",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
