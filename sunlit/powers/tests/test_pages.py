"""The list's public pages (phone and kiosk), the A4 sheet, and the back-office upload."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, VILLAGE_C, Cast
from sunlit.powers.models import PowerListVersion
from sunlit.powers.services import default_source, powers_load
from sunlit.powers.tests.conftest import MINI, as_yaml, mutate, service

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.post(reverse("portal:language"), {"language": "en", "next": "/"})
    return client


def body(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


class TestList:
    def test_it_groups_the_current_list_by_category_in_chinese(self, client: Client, default_list: Any) -> None:
        page = body(client.get(reverse("powers:list")))
        assert '<html lang="zh-hans">' in page
        assert page.index("重大决策类") < page.index("日常管理类") < page.index("便民服务类")
        assert "ZD-01" in page and "村级工程项目建设" in page and "BM-15" in page
        assert "144 个工作日" in page  # ZD-01's time limit
        assert "村党组织、村民委员会" in page  # who exercises it
        assert 'href="/powers/ZD-01/"' in page

    def test_it_speaks_english_after_the_switch(self, client: Client, default_list: Any) -> None:
        page = body(english(client).get(reverse("powers:list")))
        assert '<html lang="en">' in page
        assert "major decisions" in page and "Village construction projects" in page
        assert "144 working days" in page and "village Party organisation" in page
        assert "村级工程项目建设" not in page

    def test_it_says_so_when_no_list_is_loaded(self, client: Client) -> None:
        assert "尚未加载小微权力清单" in body(client.get(reverse("powers:list")))

    def test_the_kiosk_copy_stays_in_the_kiosk(self, client: Client, default_list: Any) -> None:
        page = body(client.get(reverse("powers:kiosk_list")))
        assert "layout-kiosk" in page
        assert 'href="/kiosk/powers/ZD-01/"' in page
        assert 'href="/powers/' not in page

    def test_it_is_a_cacheable_public_page(self, client: Client, default_list: Any) -> None:
        response = client.get(reverse("powers:list"))
        assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]

    def test_the_home_page_links_to_the_list(self, client: Client, regions: Any) -> None:
        assert 'href="/powers/"' in body(client.get(reverse("portal:home")))
        assert 'href="/kiosk/powers/"' in body(client.get(reverse("portal:kiosk_home")))

    def test_it_takes_a_fixed_number_of_queries(
        self, client: Client, default_list: Any, django_assert_num_queries: Any
    ) -> None:
        client.get(reverse("powers:list"))
        # version, items, townships with their own items
        with django_assert_num_queries(3):
            client.get(reverse("powers:list"))


class TestTownshipItems:
    @pytest.fixture
    def with_township_item(self, regions: Any) -> PowerListVersion:
        items = [
            service("BM-01", "低保", "Dibao"),
            service("TS-01", "茶园管护", "Tea garden care", township=TOWNSHIP_A),
        ]
        return powers_load(source=as_yaml(items), label="", by=None)

    def test_they_show_only_on_their_townships_and_villages_lists(
        self, client: Client, with_township_item: Any
    ) -> None:
        county = body(client.get(reverse("powers:list")))
        assert "茶园管护" not in county and f'href="/t/{TOWNSHIP_A}/powers/"' in county
        assert "茶园管护" in body(client.get(reverse("powers:township", args=[TOWNSHIP_A])))
        village = body(client.get(reverse("powers:village", args=[VILLAGE_A])))
        assert "茶园管护" in village and "低保" in village and "石门村" in village
        other = body(client.get(reverse("powers:village", args=[VILLAGE_C])))
        assert "茶园管护" not in other and "低保" in other
        assert "茶园管护" in body(client.get(reverse("powers:kiosk_village", args=[VILLAGE_A])))

    def test_an_unknown_village_or_township_is_not_found(self, client: Client, with_township_item: Any) -> None:
        assert client.get(reverse("powers:village", args=["431382101299"])).status_code == 404
        assert client.get(reverse("powers:village", args=[TOWNSHIP_A])).status_code == 404
        assert client.get(reverse("powers:township", args=[VILLAGE_A])).status_code == 404
        assert client.get(reverse("powers:kiosk_village", args=["x"])).status_code == 404

    def test_a_villages_list_takes_a_fixed_number_of_queries(
        self, client: Client, with_township_item: Any, django_assert_num_queries: Any
    ) -> None:
        client.get(reverse("powers:village", args=[VILLAGE_A]))
        with django_assert_num_queries(3):  # village with its township, version, items
            client.get(reverse("powers:village", args=[VILLAGE_A]))

    def test_the_item_page_says_where_it_applies(self, client: Client, with_township_item: Any) -> None:
        assert "六亩塘镇特色清单事项" in body(client.get(reverse("powers:item", args=["TS-01"])))


class TestItem:
    def test_it_shows_every_field_the_flowchart_and_the_steps(self, client: Client, default_list: Any) -> None:
        page = body(client.get(reverse("powers:item", args=["BM-01"])))
        for text in (
            "城乡居民最低生活保障（低保）",
            "《社会救助暂行办法》第二章",
            "村民委员会（协助）",
            "村务监督委员会",
            "共同生活的家庭成员",
            "授权核对经济状况",
            "52 个工作日",
            "不收费",
            "人情保、关系保",
            "入户调查和公示",
            "风险点及防控措施",
        ):
            assert text in page, text
        chart = re.search(r'<pre class="mermaid"[^>]*>(.*?)</pre>', page, re.S)
        assert chart and chart.group(1).startswith("flowchart TD")
        assert "&lt;br/&gt;" in chart.group(1)  # escaped in HTML, a line break for Mermaid
        assert "vendor/mermaid/mermaid.min.js" in page and "sunlit/flowcharts.js" in page
        steps = re.search(r'<ol class="powers-steps">(.*?)</ol>', page, re.S)
        assert steps and steps.group(1).count("<li") == 6
        assert "县级民政部门审批" in steps.group(1) and "县（市、区）" in steps.group(1)
        assert "公示 7 天" in steps.group(1) and 'class="is-publicity"' in steps.group(1)
        assert "退回 → 第 2 步" in steps.group(1)
        assert 'href="/powers/BM-01/print/"' in page

    def test_it_shows_the_meeting_and_the_sub_flow_of_a_major_decision(self, client: Client, default_list: Any) -> None:
        page = body(client.get(reverse("powers:item", args=["ZD-08"])))
        assert "村民会议表决筹资筹劳方案" in page and "会议：村民会议" in page and "四议两公开" in page

    def test_it_speaks_english_after_the_switch(self, client: Client, default_list: Any) -> None:
        page = body(english(client).get(reverse("powers:item", args=["BM-01"])))
        assert "Minimum living allowance (dibao)" in page and "Policy basis" in page
        assert "The county civil-affairs bureau approves" in page and "posted for 7 days" in page
        assert "The details are the official Chinese text." in page
        assert "--&gt;|&quot;approve&quot;|" in page

    def test_it_marks_locally_defined_items(self, client: Client, default_list: Any) -> None:
        assert "本地补充" in body(client.get(reverse("powers:item", args=["BM-09"])))
        assert "本地补充" not in body(client.get(reverse("powers:item", args=["BM-01"])))

    def test_the_kiosk_item_page_has_no_print_link(self, client: Client, default_list: Any) -> None:
        page = body(client.get(reverse("powers:kiosk_item", args=["BM-01"])))
        assert "layout-kiosk" in page and "/print/" not in page and 'pre class="mermaid"' in page

    def test_an_unknown_item_is_not_found(self, client: Client, default_list: Any) -> None:
        response = client.get(reverse("powers:item", args=["ZZ-99"]))
        assert response.status_code == 404 and "layout-portal" in response.content.decode()
        assert client.get(reverse("powers:kiosk_item", args=["ZZ-99"])).status_code == 404

    def test_it_takes_a_fixed_number_of_queries(
        self, client: Client, default_list: Any, django_assert_num_queries: Any
    ) -> None:
        client.get(reverse("powers:item", args=["ZD-01"]))
        with django_assert_num_queries(2):  # version, item (with version and township)
            client.get(reverse("powers:item", args=["ZD-01"]))


class TestPrint:
    def test_it_is_an_a4_sheet_with_the_flowchart_and_a_qr_code(self, client: Client, default_list: Any) -> None:
        page = body(client.get(reverse("powers:print", args=["BM-04"])))
        assert "layout-print" in page and "powers/powers.css" in page
        assert "农村村民建房宅基地审批" in page and 'pre class="mermaid"' in page and "风险点及防控措施" in page
        assert "http://testserver/powers/BM-04/" in page
        qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
        assert qr and b"<svg" in base64.b64decode(qr.group(1))

    def test_the_stylesheet_sets_the_page_to_a4(self) -> None:
        from django.contrib.staticfiles import finders

        path = finders.find("powers/powers.css")
        assert path and "@page { size: A4 portrait" in open(path, encoding="utf-8").read()

    def test_an_unknown_item_has_no_sheet(self, client: Client, default_list: Any) -> None:
        assert client.get(reverse("powers:print", args=["ZZ-99"])).status_code == 404


class TestVersions:
    @pytest.fixture
    def two(self, regions: Any) -> tuple[PowerListVersion, PowerListVersion]:
        v1 = powers_load(source=MINI, label="第一版", by=None)
        revised = mutate("    name_zh: 低保\n", "    name_zh: 城乡低保\n")
        revised = mutate(
            "days: 7, publicity_days: 7, attachments", "days: 10, publicity_days: 10, attachments", revised
        )
        return v1, powers_load(source=revised, label="第二版", by=None)

    def test_it_lists_the_versions_with_links_to_what_changed(self, client: Client, two: Any) -> None:
        page = body(client.get(reverse("powers:versions")))
        assert page.index("第二版") < page.index("第一版")
        assert 'href="/powers/changes/1-2/"' in page

    def test_it_shows_what_changed(self, client: Client, two: Any) -> None:
        page = body(client.get(reverse("powers:diff", args=[1, 2])))
        assert "更名" in page and "<del>低保</del>" in page and "城乡低保" in page and "流程调整" in page
        page = body(english(client).get(reverse("powers:diff", args=[1, 2])))
        assert "Renamed" in page and "Flow changed" in page

    def test_an_old_versions_item_stays_readable(self, client: Client, two: Any) -> None:
        page = body(client.get(reverse("powers:version_item", args=[1, "BM-01"])))
        assert "第 1 版" in page and "低保" in page and "公示 7 天" in page
        assert "公示 10 天" in body(client.get(reverse("powers:item", args=["BM-01"])))

    def test_a_version_page_lists_its_items_and_serves_its_file(self, client: Client, two: Any) -> None:
        v1, _v2 = two
        page = body(client.get(reverse("powers:version", args=[1])))
        assert 'href="/powers/versions/1/BM-01/"' in page and v1.sha256 in page
        source = client.get(reverse("powers:version_source", args=[1]))
        assert source.content == MINI.encode("utf-8") and source["Content-Type"].startswith("text/plain")

    def test_missing_versions_are_not_found(self, client: Client, two: Any) -> None:
        assert client.get(reverse("powers:version", args=[9])).status_code == 404
        assert client.get(reverse("powers:diff", args=[1, 9])).status_code == 404
        assert client.get(reverse("powers:diff", args=[1, 1])).status_code == 404
        assert client.get(reverse("powers:version_item", args=[9, "BM-01"])).status_code == 404
        assert client.get(reverse("powers:version_source", args=[9])).status_code == 404

    def test_the_kiosk_copies_render(self, client: Client, two: Any) -> None:
        for name, args in (
            ("kiosk_versions", []),
            ("kiosk_version", [1]),
            ("kiosk_diff", [1, 2]),
            ("kiosk_version_item", [1, "BM-01"]),
        ):
            page = body(client.get(reverse(f"powers:{name}", args=args)))
            assert "layout-kiosk" in page and 'href="/powers/' not in page, name

    def test_they_take_a_fixed_number_of_queries(
        self, client: Client, two: Any, django_assert_num_queries: Any
    ) -> None:
        with django_assert_num_queries(1):
            client.get(reverse("powers:versions"))
        with django_assert_num_queries(3):  # version, items, previous version
            client.get(reverse("powers:version", args=[2]))
        with django_assert_num_queries(4):  # two versions, their items
            client.get(reverse("powers:diff", args=[1, 2]))


class TestOffice:
    def upload(self, client: Client, text: str, label: str = "") -> Any:
        file = SimpleUploadedFile("list.yaml", text.encode("utf-8"), content_type="application/x-yaml")
        return client.post(reverse("powers:office"), {"file": file, "label": label})

    def test_an_administrator_loads_a_list(self, as_user: Any, cast: Cast) -> None:
        client = as_user(cast.admin)
        assert "加载修订后的清单" in body(client.get(reverse("powers:office")))
        response = self.upload(client, default_source(), "2024 年版")
        assert response.status_code == 302 and response["Location"] == reverse("powers:office")
        version = PowerListVersion.objects.get()
        assert version.label == "2024 年版" and version.loaded_by == cast.admin and version.items.count() == 28
        page = body(client.get(reverse("powers:office")))
        assert "已加载第 1 版：共 28 项。" in page and "2024 年版" in page

    def test_it_lists_every_problem_with_its_line_and_loads_nothing(self, as_user: Any, cast: Cast) -> None:
        client = as_user(cast.admin)
        bad = mutate("role: township_official, level: county", "role: mayor, level: county")
        bad = mutate("category: service", "category: services", bad)
        page = body(self.upload(client, bad))
        assert "2 处问题；未加载任何内容" in page
        assert re.search(r"<li>第 \d+ 行：事项 BM-01：未知的类别 &#x27;services&#x27;", page)
        assert re.search(r"<li>第 \d+ 行：事项 BM-01，步骤 county：未知的角色 &#x27;mayor&#x27;", page)
        assert not PowerListVersion.objects.exists()

    def test_it_refuses_a_file_that_is_not_utf8(self, as_user: Any, cast: Cast) -> None:
        client = as_user(cast.admin)
        file = SimpleUploadedFile("list.yaml", "label: 清单\n".encode("gb18030") + b"\n")
        page = body(client.post(reverse("powers:office"), {"file": file}))
        assert "不是 UTF-8 编码" in page and not PowerListVersion.objects.exists()

    def test_loading_the_current_file_again_says_nothing_changed(self, as_user: Any, cast: Cast) -> None:
        client = as_user(cast.admin)
        self.upload(client, MINI)
        self.upload(client, MINI)
        assert "没有任何改动" in body(client.get(reverse("powers:office")))
        assert PowerListVersion.objects.count() == 1

    @pytest.mark.parametrize("actor", ["cadre_a", "supervisor_a", "official", "inspector", "operator"])
    def test_nobody_else_sees_or_uses_it(self, as_user: Any, cast: Cast, actor: str) -> None:
        client = as_user(getattr(cast, actor))
        assert client.get(reverse("powers:office")).status_code == 404
        assert self.upload(client, MINI).status_code == 404
        assert not PowerListVersion.objects.exists()

    def test_a_visitor_is_sent_to_log_in(self, client: Client) -> None:
        response = client.get(reverse("powers:office"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
