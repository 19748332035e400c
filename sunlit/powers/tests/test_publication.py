"""The public pages read the list as published: the derived tables are built from the
publication log alone, by `publication.derive`, in the demo too."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sunlit.conftest import COUNTY
from sunlit.lib.errors import InvalidInput
from sunlit.powers import publication
from sunlit.powers.models import PowerItem, PowerListVersion, PublishedItem, PublishedVersion
from sunlit.powers.services import powers_load, sha256_text, version_publish
from sunlit.powers.tests.conftest import MINI, mutate
from sunlit.regions.services import region_create
from sunlit.transparency.models import Entry
from sunlit.transparency.services import publish

pytestmark = pytest.mark.django_db


def public_rows() -> list[Any]:
    """Everything the public pages can read, without the row ids."""
    return [
        list(PublishedVersion.objects.order_by("number").values(*(f for f in _fields(PublishedVersion) if f != "id"))),
        list(
            PublishedItem.objects.order_by("version__number", "position").values(
                "version__number", *(f for f in _fields(PublishedItem) if f not in ("id", "version_id"))
            )
        ),
    ]


def _fields(model: Any) -> list[str]:
    return [f.attname if f.is_relation else f.name for f in model._meta.concrete_fields]


@pytest.fixture
def two(regions: Any) -> tuple[PowerListVersion, PowerListVersion]:
    v1 = powers_load(source=MINI, label="第一版", by=None)
    return v1, powers_load(source=mutate("    name_zh: 低保\n", "    name_zh: 城乡低保\n"), label="第二版", by=None)


class TestPublicPages:
    def test_an_edit_of_a_working_row_after_publication_changes_no_page(self, client: Client, two: Any) -> None:
        PowerItem.objects.filter(code="BM-01").update(name_zh="被改过的名字", time_limit_days=99)
        PowerListVersion.objects.filter(number=2).update(label="改过的标签")
        pages = [
            client.get(reverse(name, args=args)).content.decode()
            for name, args in (
                ("powers:list", []),
                ("powers:item", ["BM-01"]),
                ("powers:print", ["BM-01"]),
                ("powers:version", [1]),
                ("powers:version_item", [1, "BM-01"]),
                ("powers:diff", [1, 2]),
                ("powers:versions", []),
                ("powers:kiosk_item", ["BM-01"]),
            )
        ]
        for page in pages:
            assert "被改过的名字" not in page and "改过的标签" not in page
        assert "城乡低保" in pages[0] and "第二版" in pages[0] and "20 个工作日" in pages[1]

    def test_the_file_is_served_only_while_it_hashes_to_the_published_sha256(self, client: Client, two: Any) -> None:
        assert client.get(reverse("powers:version_source", args=[1])).content == MINI.encode("utf-8")
        PowerListVersion.objects.filter(number=1).update(source=MINI + "\n# quietly added\n")
        assert client.get(reverse("powers:version_source", args=[1])).status_code == 404

    def test_a_list_no_chain_carries_is_not_public_until_published(self, client: Client, db: Any) -> None:
        powers_load(source=MINI, label="", by=None)  # no county yet: nothing to publish to
        assert "尚未加载小微权力清单" in client.get(reverse("powers:list")).content.decode()
        assert client.get(reverse("powers:item", args=["BM-01"])).status_code == 404
        region_create(code=COUNTY, name="涟源市", by=None)
        out = StringIO()
        with translation.override("en"):  # the page above left Chinese active
            call_command("powers", "publish", stdout=out)
        assert "1 published version(s) rebuilt" in out.getvalue()
        assert Entry.objects.filter(kind=publication.KIND, chain_id=COUNTY).count() == 1
        assert "低保" in client.get(reverse("powers:list")).content.decode()

    def test_loading_the_current_file_again_publishes_it_on_a_new_county(self, two: Any) -> None:
        region_create(code="431381000000", name="冷水江市", by=None)
        powers_load(source=mutate("    name_zh: 低保\n", "    name_zh: 城乡低保\n"), label="", by=None)
        assert Entry.objects.filter(kind=publication.KIND, chain_id="431381000000").count() == 1
        assert PowerListVersion.objects.count() == 2

    def test_a_version_loaded_at_a_non_utc_time_publishes_the_same_snapshot_again(self, regions: Any) -> None:
        from sunlit.lib.clock import simulated_clock

        with simulated_clock() as clock:  # the demo's clock runs in Chinese time
            clock.set(datetime(2024, 1, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
            powers_load(source=MINI, label="", by=None)
        powers_load(source=MINI, label="", by=None)  # the same file: publishes nothing new
        assert Entry.objects.filter(kind=publication.KIND).count() == 1

    def test_it_refuses_to_publish_working_rows_changed_after_publication(self, two: Any) -> None:
        _v1, v2 = two
        PowerItem.objects.filter(version=v2, code="BM-01").update(fee="收费 100 元")
        with pytest.raises(InvalidInput, match="differs from what 431382000000's chain published"):
            version_publish(version=v2, by=None)
        assert not Entry.objects.filter(kind=publication.KIND, supersedes__isnull=False).exists()


class TestDerive:
    def test_the_public_rows_are_what_rederiving_from_the_log_gives(self, two: Any) -> None:
        built = public_rows()
        assert built[0][1]["is_current"] and not built[0][0]["is_current"]
        PublishedVersion.objects.all().delete()
        assert publication.rebuild() == 2
        assert public_rows() == built

    def test_the_demo_derives_through_the_same_function(self, regions: Any) -> None:
        from sunlit.demo.services import DEMO_EPOCH
        from sunlit.lib.rooms import DemoContext
        from sunlit.powers.demo import seed

        seed(DemoContext(plan=None, scale="small", seed=1, progress=False, epoch=DEMO_EPOCH))
        seeded = public_rows()
        assert len(seeded[1]) == 28
        PublishedVersion.objects.all().delete()
        publication.rebuild()
        assert public_rows() == seeded

    def test_a_summary_snapshot_is_completed_by_a_correction_with_a_reason(self, client: Client, regions: Any) -> None:
        # How versions were published before the snapshot carried the whole list.
        summary = {"title": "小微权力清单第 1 版：测试清单", "number": 1, "sha256": sha256_text(MINI)}
        first = publish(chain=COUNTY, kind=publication.KIND, ref=publication.ref(COUNTY, 1), snapshot=summary, by=None)
        with pytest.raises(InvalidInput, match="summary only"):
            publication.derive(first)
        assert publication.rebuild() == 0
        powers_load(source=MINI, label="", by=None)
        correction = Entry.objects.get(kind=publication.KIND, supersedes=first)
        assert correction.reason == publication.FULL_LIST_REASON and publication.is_full(correction.snapshot)
        assert client.get(reverse("powers:version_item", args=[1, "BM-01"])).status_code == 200
