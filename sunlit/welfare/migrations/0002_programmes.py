"""The shipped programmes (data/programmes.yaml), so every installation starts with them.

Migration-safe: it reads the file with the pure parser and writes through the
historical model; later edits of the file are loaded with `sunlit welfare programmes
load`, which updates the same rows by code.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from sunlit.welfare.programmes import default_source, parse

    Programme = apps.get_model("welfare", "Programme")
    for spec in parse(default_source()):
        Programme.objects.update_or_create(code=spec.code, defaults={
            "short_zh": spec.short_zh, "name_zh": spec.name_zh, "name_en": spec.name_en, "item_code": spec.item,
            "rhythm": spec.rhythm, "per": spec.per, "position": spec.position, "active": True})


class Migration(migrations.Migration):
    dependencies = [("welfare", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
