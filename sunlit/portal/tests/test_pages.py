"""The public pages: what a villager sees on a phone and at the village-hall kiosk."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlit.conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_C
from sunlit.regions.models import Region
from sunlit.regions.services import region_create, region_publish_profile

pytestmark = pytest.mark.django_db

COUNTY = "431382000000"
PAGES = [
    ("portal:home", []),
    ("portal:township", [TOWNSHIP_A]),
    ("portal:village", [VILLAGE_A]),
    ("portal:kiosk_home", []),
    ("portal:kiosk_township", [TOWNSHIP_A]),
    ("portal:kiosk_village", [VILLAGE_A]),
]


def get(client: Client, name: str, *args: str) -> Any:
    return client.get(reverse(name, args=args))


def english(client: Client) -> Client:
    response = client.post(reverse("portal:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


class TestLanguage:
    def test_it_renders_in_chinese_by_default(self, client: Client, regions: dict[str, Region]) -> None:
        body = get(client, "portal:home").content.decode()
        assert '<html lang="zh-hans">' in body
        assert "乡镇" in body
        assert "六亩塘镇" in body

    def test_it_renders_in_english_after_the_switch(self, client: Client, regions: dict[str, Region]) -> None:
        body = get(english(client), "portal:home").content.decode()
        assert '<html lang="en">' in body
        assert "Townships" in body
        # Names are proper nouns: they stay as the village calls itself.
        assert "六亩塘镇" in body

    def test_it_switches_language_without_a_csrf_token(self, regions: dict[str, Region]) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("portal:language"), {"language": "en", "next": f"/t/{TOWNSHIP_A}/"})
        assert response.status_code == 302
        assert response["Location"] == f"/t/{TOWNSHIP_A}/"
        assert "Villages and communities" in client.get(response["Location"]).content.decode()

    def test_it_refuses_to_redirect_off_site(self, client: Client) -> None:
        response = client.post(reverse("portal:language"), {"language": "en", "next": "https://evil.example/"})
        assert response["Location"] == "/"

    def test_it_switches_language_by_post_only(self, client: Client) -> None:
        assert client.get(reverse("portal:language"), {"language": "en"}).status_code == 405

    def test_it_offers_both_languages_marking_the_current_one(self, client: Client, regions: Any) -> None:
        body = get(client, "portal:home").content.decode()
        assert re.search(r'value="zh-hans"[^>]*aria-pressed="true"', body)
        assert re.search(r'value="en"[^>]*aria-pressed="false"', body)
        assert ">English<" in body


class TestHome:
    def test_it_lists_townships_with_their_village_counts(self, client: Client, regions: Any) -> None:
        region_create(code="431382101001", name="石门社区", is_community=True, by=None)
        body = get(client, "portal:home").content.decode()
        assert "涟源市" in body
        assert body.index("六亩塘镇") < body.index("石马山镇")
        assert "2 个村 · 1 个社区" in body
        assert "1 个村" in body
        assert reverse("portal:township", args=[TOWNSHIP_B]) in body

    def test_it_says_so_when_nothing_is_set_up(self, client: Client) -> None:
        response = get(client, "portal:home")
        assert response.status_code == 200
        assert "尚未设置" in response.content.decode()

    def test_it_groups_townships_under_their_county(self, client: Client, regions: Any) -> None:
        region_create(code="431381000000", name="冷水江市", by=None)
        region_create(code="431381101000", name="沙塘湾街道", by=None)
        body = get(client, "portal:home").content.decode()
        assert body.index("<h1>冷水江市</h1>") < body.index("沙塘湾街道") < body.index("<h1>涟源市</h1>")
        assert body.index("<h1>涟源市</h1>") < body.index("六亩塘镇")

    def test_it_reads_in_one_query_however_many_townships(
        self, client: Client, regions: Any, django_assert_num_queries: Any
    ) -> None:
        for n in range(3, 9):
            region_create(code=f"431382{100 + n}000", name=f"乡镇{n}", by=None)
            region_create(code=f"431382{100 + n}201", name=f"村{n}", by=None)
        with django_assert_num_queries(1):
            response = get(client, "portal:home")
        assert response.content.decode().count('class="choice"') == 8


class TestTownship:
    def test_it_lists_villages_with_their_service_phones(self, client: Client, regions: Any) -> None:
        body = get(client, "portal:township", TOWNSHIP_A).content.decode()
        assert "石门村" in body and "白竹村" in body
        assert "枫林村" not in body
        assert "便民服务中心电话" in body
        assert 'href="tel:0738-4000001"' in body
        assert reverse("portal:village", args=[VILLAGE_A]) in body

    def test_it_links_the_townships_sections_in_the_right_frame(self, client: Client, regions: Any) -> None:
        body = get(client, "portal:township", TOWNSHIP_A).content.decode()
        for name in ("finance:township_search", "finance:timeliness", "projects:township", "welfare:township_section"):
            assert f'href="{reverse(name, args=[TOWNSHIP_A])}"' in body, name
        assert f"/reports/new/?kind=township&amp;ref={TOWNSHIP_A}" in body  # a complaint about its officials
        kiosk = get(client, "portal:kiosk_township", TOWNSHIP_A).content.decode()
        for name in (
            "finance:kiosk_township_search",
            "finance:kiosk_timeliness",
            "projects:kiosk_township",
            "welfare:kiosk_township_section",
        ):
            assert f'href="{reverse(name, args=[TOWNSHIP_A])}"' in kiosk, name

    def test_it_reads_in_two_queries_however_many_villages(
        self, client: Client, regions: Any, django_assert_num_queries: Any
    ) -> None:
        for n in range(10, 30):
            region_create(code=f"431382101{200 + n}", name=f"村{n}", phone=f"0738-40000{n}", by=None)
        with django_assert_num_queries(2):
            response = get(client, "portal:township", TOWNSHIP_A)
        assert response.content.decode().count("tel:") == 22


class TestVillage:
    def test_it_falls_back_to_the_region_row_before_the_profile_is_published(
        self, client: Client, regions: Any
    ) -> None:
        body = get(client, "portal:village", VILLAGE_A).content.decode()
        assert "<h1>石门村</h1>" in body
        assert 'href="tel:0738-4000001"' in body
        assert VILLAGE_A in body
        assert "六亩塘镇" in body
        assert "尚未公开任何信息" in body

    def test_it_shows_the_published_profile_and_what_was_published(
        self, client: Client, regions: dict[str, Region]
    ) -> None:
        village = regions["village_a"]
        village.address = "六亩塘镇石门村村部"
        first = region_publish_profile(region=village, by=None)
        # Published data wins over the working row: the page shows what is on the record.
        Region.objects.filter(code=VILLAGE_A).update(phone="0000-0000000")
        body = get(client, "portal:village", VILLAGE_A).content.decode()
        assert 'href="tel:0738-4000001"' in body
        assert "0000-0000000" not in body
        assert "六亩塘镇石门村村部" in body
        assert "已公开信息" in body
        assert "村情信息" in body
        assert reverse("transparency:entry", args=[first.pk]) in body
        assert "核验" in body
        assert f"/reports/new/?kind=village&amp;ref={VILLAGE_A}" in body  # a complaint about the village

    def test_it_shows_only_the_latest_version_marked_as_corrected(
        self, client: Client, regions: dict[str, Region]
    ) -> None:
        village = regions["village_a"]
        first = region_publish_profile(region=village, by=None)
        village.phone = "0738-4999999"
        second = region_publish_profile(region=village, by=None, reason="电话号码有误")
        body = get(client, "portal:village", VILLAGE_A).content.decode()
        assert reverse("transparency:entry", args=[second.pk]) in body
        assert reverse("transparency:entry", args=[first.pk]) not in body
        assert "已更正：电话号码有误" in body or "已更正: 电话号码有误" in body
        assert 'href="tel:0738-4999999"' in body

    def test_it_reads_in_three_queries_however_much_is_published(
        self, client: Client, regions: dict[str, Region], django_assert_num_queries: Any
    ) -> None:
        from sunlit.transparency.services import publish

        region_publish_profile(region=regions["village_a"], by=None)
        for n in range(12):
            publish(
                chain=VILLAGE_A, kind="bulletins.notice", ref=f"notice-{n}", snapshot={"title": f"通知{n}"}, by=None
            )
        with django_assert_num_queries(3):
            response = get(client, "portal:village", VILLAGE_A)
        body = response.content.decode()
        assert body.count('class="verify"') == 13
        assert "通知11" in body
        assert body.index("通知11") < body.index("通知0")
        assert reverse("transparency:chain", args=[VILLAGE_A]) not in body

    def test_it_lists_only_the_newest_records_and_links_to_the_whole_log(
        self, client: Client, regions: dict[str, Region], django_assert_num_queries: Any
    ) -> None:
        from sunlit.portal.selectors import RECENT
        from sunlit.transparency.services import publish

        for n in range(RECENT + 5):
            publish(
                chain=VILLAGE_A, kind="bulletins.notice", ref=f"notice-{n}", snapshot={"title": f"通知{n}号"}, by=None
            )
        with django_assert_num_queries(3):
            body = get(client, "portal:village", VILLAGE_A).content.decode()
        assert body.count('class="verify"') == RECENT
        assert f"通知{RECENT + 4}号" in body and "通知4号" not in body
        assert reverse("transparency:chain", args=[VILLAGE_A]) in body
        kiosk = get(client, "portal:kiosk_village", VILLAGE_A).content.decode()
        assert reverse("transparency:chain", args=[VILLAGE_A]) not in kiosk


class TestNotFound:
    @pytest.mark.parametrize(
        ("name", "code"),
        [
            ("portal:township", "abc"),
            ("portal:township", "4313821010001"),  # 13 digits
            ("portal:township", "43138210100"),  # 11 digits
            ("portal:township", "４３１３８２１０１０００"),  # full-width digits
            ("portal:township", "431382109000"),  # well-formed, not stored
            ("portal:township", VILLAGE_A),  # a village is not a township
            ("portal:township", COUNTY),
            ("portal:village", "not-a-code"),
            ("portal:village", "431382101299"),
            ("portal:village", TOWNSHIP_A),  # a township is not a village
            ("portal:village", COUNTY),
            ("portal:kiosk_township", "abc"),
            ("portal:kiosk_village", TOWNSHIP_A),
        ],
    )
    def test_it_answers_404_with_a_friendly_page(self, client: Client, regions: Any, name: str, code: str) -> None:
        response = get(client, name, code)
        assert response.status_code == 404
        body = response.content.decode()
        assert "找不到这个页面" in body
        home = "portal:kiosk_home" if "kiosk" in name else "portal:home"
        assert f'href="{reverse(home)}"' in body
        assert "Cache-Control" not in response or "public" not in response["Cache-Control"]

    def test_it_keeps_the_kiosk_frame_on_a_kiosk_404(self, client: Client, regions: Any) -> None:
        body = get(client, "portal:kiosk_village", "abc").content.decode()
        assert 'class="layout-kiosk"' in body
        assert "kiosk-home" in body

    @pytest.mark.parametrize(("path", "layout"), [("/nowhere/", "portal"), ("/kiosk/nowhere/", "kiosk")])
    def test_it_offers_a_site_wide_handler404_in_the_right_frame(self, rf: Any, path: str, layout: str) -> None:
        from sunlit.portal.views import page_not_found

        response = page_not_found(rf.get(path), Exception())
        assert response.status_code == 404
        body = response.content.decode()
        assert f'class="layout-{layout}"' in body
        assert "找不到这个页面" in body


class TestKiosk:
    def test_it_draws_the_kiosk_layout_with_the_idle_timeout(self, client: Client, regions: Any, settings: Any) -> None:
        settings.SUNLIT_KIOSK_IDLE_SECONDS = 45
        body = get(client, "portal:kiosk_village", VILLAGE_A).content.decode()
        assert '<body class="layout-kiosk" data-idle-seconds="45">' in body
        assert "sunlit/kiosk.js" in body
        assert 'id="kiosk-idle-reset"' in body

    def test_it_has_big_home_and_back_buttons_back_going_up_one_level(self, client: Client, regions: Any) -> None:
        body = get(client, "portal:kiosk_village", VILLAGE_C).content.decode()
        assert re.search(r'class="kiosk-button kiosk-home" href="/kiosk/"', body)
        assert re.search(f'class="kiosk-button kiosk-back" href="/kiosk/t/{TOWNSHIP_B}/"', body)
        body = get(client, "portal:kiosk_township", TOWNSHIP_B).content.decode()
        assert re.search(r'class="kiosk-button kiosk-back" href="/kiosk/"', body)

    def test_it_keeps_every_link_inside_the_kiosk(self, client: Client, regions: dict[str, Region]) -> None:
        region_publish_profile(region=regions["village_a"], by=None)
        for name, args in PAGES[3:]:
            body = get(client, name, *args).content.decode()
            for href in re.findall(r'href="([^"]+)"', body):
                assert href.startswith(("/kiosk/", "/static/", "#")), (name, href)
            assert "tel:" not in body

    def test_it_shows_phones_as_tel_links_on_the_portal(self, client: Client, regions: Any) -> None:
        body = get(client, "portal:village", VILLAGE_A).content.decode()
        assert 'class="layout-portal"' in body
        assert "kiosk.js" not in body
        assert 'href="tel:0738-4000001"' in body


class TestEveryPage:
    @pytest.mark.parametrize(("name", "args"), PAGES)
    def test_it_has_no_inline_script(self, client: Client, regions: Any, name: str, args: list[str]) -> None:
        body = get(client, name, *args).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"\son[a-z]+=", body), "inline event handler"

    @pytest.mark.parametrize(("name", "args"), PAGES)
    def test_it_lets_caches_keep_the_page_a_minute(
        self, client: Client, regions: Any, name: str, args: list[str]
    ) -> None:
        response = get(client, name, *args)
        assert response.status_code == 200
        cache_control = {p.strip() for p in response["Cache-Control"].split(",")}
        # Exactly these directives: no "private=False" for a proxy to misread.
        assert cache_control == {"public", "max-age=60"}
        assert "Cookie" in response["Vary"]
        # Nothing per visitor (no CSRF or session cookie) in a page a proxy may share.
        assert not response.cookies

    def test_it_keeps_a_signed_in_officials_page_out_of_shared_caches(self, as_user: Any, cast: Any) -> None:
        response = as_user(cast.cadre_a).get(reverse("portal:village", args=[VILLAGE_A]))
        assert response.status_code == 200
        cache_control = {p.strip() for p in response["Cache-Control"].split(",")}
        assert cache_control == {"private", "max-age=60"}

    def test_it_sends_the_strict_content_security_policy(self, client: Client, regions: Any) -> None:
        policy = get(client, "portal:kiosk_village", VILLAGE_A)["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]

    @pytest.mark.parametrize(("name", "args"), PAGES)
    def test_it_is_readable_without_javascript_links_being_plain_hrefs(
        self, client: Client, regions: Any, name: str, args: list[str]
    ) -> None:
        body = get(client, name, *args).content.decode()
        assert "hx-" not in body
        assert 'href="javascript:' not in body


class TestFrame:
    def test_it_names_the_site_on_the_login_page_not_the_host(self, client: Client) -> None:
        # Django's LoginView puts the host name in `site_name`; the frame must not use it.
        body = client.get(reverse("accounts:login")).content.decode()
        assert 'class="layout-office"' in body
        assert "阳光村务 · 工作人员后台" in body
        assert "testserver" not in body


@pytest.mark.parametrize(("prefix", "target"), [("", "/cases/follow/"), ("/kiosk", "/kiosk/cases/follow/")])
def test_it_offers_to_follow_an_application_from_the_home_page(
    client: Any, regions: Any, prefix: str, target: str
) -> None:
    body = client.get(f"{prefix}/").content.decode()
    assert f'href="{target}"' in body
