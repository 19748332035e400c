from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from sunlit.audit.models import AuditEvent
from sunlit.conftest import VILLAGE_A
from sunlit.reports import publication, receipts, services
from sunlit.reports.models import Report, State
from sunlit.reports.tests.conftest import People, file_report

pytestmark = pytest.mark.django_db


def _form_key(client: Client, url: str = "/kiosk/reports/new/") -> str:
    """The idempotency key of the filing form as this browser is shown it."""
    match = re.search(r'name="key" value="([^"]+)"', client.get(url).content.decode())
    assert match
    return match[1]


def _post_new(client: Client, url: str = "/kiosk/reports/new/", **data: Any) -> Any:
    form = {
        "kind": "village",
        "ref": VILLAGE_A,
        "category": "finance",
        "text": "The road money went missing.",
        "identity": "anonymous",
        **data,
    }
    if "key" not in form:
        form["key"] = _form_key(client, url.split("?")[0])
    return client.post(url, form)


def _receipt(response: Any) -> str:
    match = re.search(r'data-receipt="([0-9]{16})"', response.content.decode())
    assert match
    return match[1]


class TestFilingPage:
    def test_it_files_anonymously_from_the_kiosk_and_shows_the_receipt_once(
        self, client: Client, people: People
    ) -> None:
        response = _post_new(client, name="张三", phone="13800000001")  # ignored: anonymous chosen
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        receipt = _receipt(response)
        report = Report.objects.get()
        assert report.channel == "kiosk" and report.reporter_name == "" and report.reporter_phone == ""
        assert services.report_lookup(receipt=receipt) == report

    def test_its_forms_carry_the_rooms_stylesheet(self, client: Client, people: People) -> None:
        # base.css alone let the filing and follow-up forms run past a phone's edge and
        # put each radio button above its words; reports.css fixes both (e2e checks the width).
        receipt = _receipt(_post_new(client))
        for response in (
            client.get("/reports/new/"),
            client.get("/kiosk/reports/new/"),
            client.get("/reports/follow/"),
            client.post("/reports/follow/", {"receipt": receipt}),
        ):
            assert response.status_code == 200
            assert 'href="/static/reports/reports.css"' in response.content.decode()

    def test_its_filing_form_keeps_a_draft_through_draft_js(self, client: Client, people: People) -> None:
        # The script is a static file (the CSP allows no inline script); its messages come
        # translated from the template; the kiosk's browser must not keep what was typed.
        phone, kiosk = client.get("/reports/new/").content.decode(), client.get("/kiosk/reports/new/").content.decode()
        for body in (phone, kiosk):
            assert 'src="/static/reports/draft.js"' in body and 'data-draft="report"' in body
            assert "data-msg-offline=" in body and 'class="draft-status"' in body
        assert 'autocomplete="off"' in kiosk.split('data-draft="report"')[1].split(">")[0]
        assert 'src="/static/sunlit/kiosk.js"' in kiosk  # kept beside it: the idle reset clears drafts

    def test_it_answers_a_retried_post_with_the_same_receipt(self, client: Client, people: People) -> None:
        key = _form_key(client)
        first, second = _post_new(client, key=key), _post_new(client, key=key)
        assert _receipt(first) == _receipt(second) and Report.objects.count() == 1

    def test_it_answers_a_double_submit_only_on_the_device_that_sent_it(self, client: Client, people: People) -> None:
        key = _form_key(client)
        first = _post_new(client, key=key)
        elsewhere = _post_new(Client(), key=key)  # the same form, word for word, from another browser
        assert elsewhere.status_code == 400 and _receipt(first) not in elsewhere.content.decode()
        assert "not opened on this device" in elsewhere.content.decode() and Report.objects.count() == 1

    def test_it_never_takes_the_forms_key_from_a_link(self, client: Client, people: People) -> None:
        # The attacker opens the form, then sends villagers a link carrying its key.
        attacker = client
        planted = _form_key(attacker, "/reports/new/")
        link = f"/reports/new/?kind=village&ref={VILLAGE_A}&key={planted}"
        villager = Client()
        shown = re.search(r'name="key" value="([^"]+)"', villager.get(link).content.decode())
        assert shown and shown[1] != planted
        receipt = _receipt(_post_new(villager, link, key=shown[1], text="The cadre kept the subsidy."))
        # The attacker sends the planted key with any words: never the villager's receipt.
        for words in ("The cadre kept the subsidy.", "anything"):
            answer = _post_new(attacker, "/reports/new/", key=planted, text=words)
            assert receipt not in answer.content.decode()
            assert receipt not in _post_new(Client(), "/reports/new/", key=planted, text=words).content.decode()
        assert services.report_lookup(receipt=receipt).text == "The cadre kept the subsidy."  # type: ignore[union-attr]

    def test_it_gives_two_villagers_filing_through_one_link_a_report_each(self, people: People) -> None:
        link = f"/reports/new/?kind=village&ref={VILLAGE_A}&key={receipts.new_key()}"
        first, second = Client(), Client()
        keys = [_form_key(c, link) for c in (first, second)]
        receipts_ = [
            _receipt(_post_new(c, link, key=k, text=f"Villager {n} saw it."))
            for n, (c, k) in enumerate(zip((first, second), keys, strict=True))
        ]
        assert receipts_[0] != receipts_[1] and Report.objects.count() == 2
        assert sorted(Report.objects.values_list("text", flat=True)) == ["Villager 0 saw it.", "Villager 1 saw it."]
        # A key the link itself carries (what the old form took) files nothing for anyone.
        answer = _post_new(Client(), link, key=link.rsplit("=", 1)[1])
        assert answer.status_code == 400 and Report.objects.count() == 2

    def test_it_refuses_a_replay_with_other_words_and_offers_a_new_form(self, client: Client, people: People) -> None:
        key = _form_key(client)
        receipt = _receipt(_post_new(client, key=key))
        answer = _post_new(client, key=key, text="Something else entirely.")
        body = answer.content.decode()
        assert answer.status_code == 400 and "other words" in body and receipt not in body
        fresh = re.search(r'name="key" value="([^"]+)"', body)
        assert fresh and fresh[1] != key and "Something else entirely." in body
        assert list(Report.objects.values_list("text", flat=True)) == ["The road money went missing."]
        assert _receipt(_post_new(client, key=fresh[1], text="Something else entirely.")) != receipt
        assert Report.objects.count() == 2

    def test_it_gives_a_browser_without_a_device_a_new_form_bound_to_it(self, people: People) -> None:
        browser = Client()
        answer = _post_new(browser, key=_form_key(Client()))  # a form opened elsewhere, no cookie here
        assert answer.status_code == 400 and "sunlit_device" in answer.cookies
        fresh = re.search(r'name="key" value="([^"]+)"', answer.content.decode())
        assert fresh and _post_new(browser, key=fresh[1]).status_code == 200

    def test_it_says_on_the_receipt_that_an_orphaned_report_went_up_and_why(
        self, client: Client, people: People
    ) -> None:
        excluded = [people.cast.inspector, people.inspector2]
        answer = _post_new(client, exclude=[p.pk for p in excluded])
        body = answer.content.decode()
        note = "Your report was sent to the discipline office of 涟源市 because no inspector of 六亩塘镇"
        assert answer.status_code == 200 and note in body
        assert not any(p.full_name in body for p in excluded)
        follow = client.post("/reports/follow/", {"receipt": _receipt(answer)}).content.decode()
        assert note in follow and Report.objects.get().office_code == people.cast.county.code

    def test_it_refuses_an_unknown_record_clearly(self, client: Client, people: People) -> None:
        response = client.get("/reports/new/?kind=case&ref=431382101201-2026-0404")
        assert response.status_code == 404 and "No public record" in response.content.decode()
        response = _post_new(client, kind="case", ref="431382101201-2026-0404")
        assert response.status_code == 400 and not Report.objects.exists()

    def test_it_renders_script_in_the_text_escaped(self, client: Client, people: People) -> None:
        receipt = _receipt(_post_new(client, text="<script>alert(1)</script>"))
        body = client.post("/reports/follow/", {"receipt": receipt}).content.decode()
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body

    def test_it_refuses_a_wrong_type_file(self, client: Client, people: People) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = _post_new(client, files=[SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image")])
        assert response.status_code == 400 and "not a JPEG" in response.content.decode()
        assert not Report.objects.exists()

    def test_it_limits_a_flood_of_filings_from_one_kiosk(self, client: Client, people: People, settings: Any) -> None:
        settings.SUNLIT_REPORTS_FILINGS_PER_IP = 2
        assert [_post_new(client).status_code for _ in range(3)] == [200, 200, 429]
        assert Report.objects.count() == 2


class TestFollowPage:
    def test_it_shows_status_and_reply_but_never_internal_notes(self, client: Client, people: People) -> None:
        filed = file_report()
        inspector = people.cast.inspector
        services.report_accept(report=filed.report, by=inspector)
        services.report_note(report=filed.report, body="INTERNAL-LEAD", by=inspector)
        services.report_investigate(report=filed.report, by=inspector)
        services.report_conclude(report=filed.report, finding="substantiated", summary="SUMMARY-X", by=inspector)
        services.report_reply(report=filed.report, body="The money is returned.", by=inspector)
        grouped = receipts.grouped(filed.receipt)
        body = client.post("/reports/follow/", {"receipt": grouped}).content.decode()
        assert "The money is returned." in body and "Replied" in body
        assert "INTERNAL-LEAD" not in body and "SUMMARY-X" not in body and inspector.full_name not in body

    def test_it_lets_the_reporter_write_rate_and_add_evidence(self, client: Client, people: People) -> None:
        filed = file_report()
        client.post("/reports/follow/", {"receipt": filed.receipt, "action": "message", "body": "One more thing"})
        assert filed.report.messages.get().body == "One more thing"
        response = client.post("/reports/follow/", {"receipt": filed.receipt, "action": "rate", "rating": "5"})
        assert response.status_code == 400  # not replied yet

    def test_it_stores_a_retried_message_once(self, client: Client, people: People) -> None:
        filed = file_report()
        page = client.post("/reports/follow/", {"receipt": filed.receipt}).content.decode()
        key = re.search(r'name="key" value="([^"]+)"', page)
        assert key and 'data-draft="follow"' in page and "reports/draft.js" in page
        sent = {"receipt": filed.receipt, "action": "message", "body": "The second receipt", "key": key[1]}
        first, again = client.post("/reports/follow/", sent), client.post("/reports/follow/", sent)
        assert first.status_code == again.status_code == 200
        assert filed.report.messages.filter(body="The second receipt").count() == 1
        # Each answer offers a fresh key for the next message, and that one is stored too.
        fresh = re.search(r'name="key" value="([^"]+)"', again.content.decode())
        assert fresh and fresh[1] != key[1]
        client.post("/reports/follow/", {**sent, "key": fresh[1]})
        assert filed.report.messages.filter(body="The second receipt").count() == 2

    def test_it_rate_limits_wrong_receipts_per_device_and_logs_them(
        self, client: Client, people: People, settings: Any
    ) -> None:
        settings.SUNLIT_REPORTS_GUESSES_PER_DEVICE = 3
        client.get("/reports/follow/")  # receives the device cookie
        statuses = [client.post("/reports/follow/", {"receipt": f"{n:016d}"}).status_code for n in range(4)]
        assert statuses == [404, 404, 404, 429]
        assert AuditEvent.objects.filter(action="report.receipt_failed").count() == 3

    def test_it_rate_limits_per_ip_and_globally(self, client: Client, people: People, settings: Any) -> None:
        settings.SUNLIT_REPORTS_GUESSES_PER_IP = 2
        settings.SUNLIT_REPORTS_GUESSES_GLOBAL = 3
        filed = file_report()
        for n in range(2):
            Client().post("/reports/follow/", {"receipt": f"{n:016d}"})  # no cookie: a new "device" each time
        assert Client().post("/reports/follow/", {"receipt": filed.receipt}).status_code == 429
        other = Client(REMOTE_ADDR="10.9.9.9")
        other.post("/reports/follow/", {"receipt": "9" * 16})
        assert other.post("/reports/follow/", {"receipt": filed.receipt}).status_code == 429  # global

    def test_it_explains_a_malformed_receipt(self, client: Client, people: People) -> None:
        response = client.post("/kiosk/reports/follow/", {"receipt": "12ab"})
        assert response.status_code == 404 and "16 digits" in response.content.decode()

    def test_it_forgives_full_width_digits_and_spaces(self, client: Client, people: People) -> None:
        filed = file_report()
        typed = receipts.grouped(filed.receipt).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        assert client.post("/reports/follow/", {"receipt": typed}).status_code == 200

    def test_it_confirms_a_named_reporters_phone(
        self, client: Client, people: People, django_capture_on_commit_callbacks: Any
    ) -> None:
        from sunlit.reports import sms

        with django_capture_on_commit_callbacks(execute=True):
            receipt = _receipt(
                _post_new(client, url="/reports/new/", identity="named", name="张三", phone="13800000001")
            )
        found = re.search(r"\b([0-9]{6})\b", sms.OUTBOX[-1][1])
        assert found
        code = found[1]
        client.post("/reports/follow/", {"receipt": receipt, "action": "confirm_phone", "code": code})
        assert Report.objects.get().phone_confirmed


class TestPublicFigures:
    def test_it_publishes_statistics_by_township_not_village(self, client: Client, people: People) -> None:
        services.report_accept(report=file_report().report, by=people.cast.inspector)
        publication.reports_publish()
        body = client.get("/reports/statistics/").content.decode()
        assert "六亩塘镇" in body and "石门村" not in body and 'data-echarts="reports-by-month"' in body

    def test_it_serves_open311_statuses_without_text_or_people(self, client: Client, people: People) -> None:
        report = file_report(name="张三", phone="13800000001", text="SECRET-TEXT").report
        services.report_accept(report=report, by=people.cast.inspector)
        publication.reports_publish()
        body = client.get("/open311/v2/requests.json?status=open").content.decode()
        data = client.get("/open311/v2/requests.json").json()
        assert data[0]["service_request_id"] == report.public_id and data[0]["status"] == "open"
        assert "SECRET-TEXT" not in body and "张三" not in body and "13800000001" not in body
        assert VILLAGE_A not in body and "石门村" not in body
        assert client.get("/open311/v2/services.json").json()[0]["service_code"] == "finance"
        assert client.get(f"/open311/v2/requests/{report.public_id}.json").json()[0]["status_notes"] == "Accepted"
        assert client.get("/open311/v2/requests/nope.json").status_code == 404

    def test_it_shows_under_review_on_the_questioned_record_without_content(
        self, people: People, django_capture_on_commit_callbacks: Any
    ) -> None:
        from django.template import Context, Template

        report = file_report(kind="township", ref=people.cast.township_a.code).report
        Report.objects.filter(pk=report.pk).update(record_kind="finance.voucher", record_ref=f"{VILLAGE_A}-2026-7")
        report.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.report_mark_review(report=report, on=True, by=people.city_inspector)
        html = Template('{% load report_tags %}{% question_this "finance.voucher" code 2026 7 %}').render(
            Context({"code": VILLAGE_A, "layout": "kiosk"})
        )
        assert "Under review" in html and "/kiosk/reports/new/?kind=finance.voucher" in html
        assert report.text not in html
        assert State.RECEIVED == report.state
