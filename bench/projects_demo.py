"""Time the projects demo at city scale on its own: 250 villages in 20 townships, 2018–2025.

    SUNLIT_VAR_DIR=var/bench/projects .venv/bin/python manage.py migrate
    SUNLIT_VAR_DIR=var/bench/projects .venv/bin/python bench/projects_demo.py

Creates the county, townships and villages of the city plan if missing (no books, no
cases: payments then link to no voucher), runs `demo_projects(scale="city")` and prints
what it made and how long it took. On a database that already holds the city demo, it
measures the real thing (vouchers and cases linked), or nothing if projects exist.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlit.settings")

import django

django.setup()

from sunlit.demo.services import demo_plan  # noqa: E402
from sunlit.projects.demo import demo_projects  # noqa: E402
from sunlit.regions.models import Region  # noqa: E402
from sunlit.regions.services import region_create  # noqa: E402


def main() -> None:
    plan = demo_plan(scale="city", seed=2017)
    have = set(Region.objects.values_list("code", flat=True))
    for r in plan.regions():
        if r.code not in have:
            region_create(code=r.code, name=r.name, is_community=r.is_community, by=None)
    villages = [v.code for t in plan.townships for v in t.villages]
    started = time.monotonic()
    result = demo_projects(village_codes=villages, scale="city", seed=2017)
    seconds = time.monotonic() - started
    from sunlit.projects.models import Project

    total = sum(Project.objects.values_list("budget", flat=True))
    print(
        f"{result.villages} villages, {result.projects} projects worth {total / 100 / 1e6:.0f} million yuan, "
        f"{result.accepted} accepted ({result.reports} reports), {result.payments} payments "
        f"({result.linked} linked to vouchers) in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
