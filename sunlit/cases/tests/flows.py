"""Items and meeting rules built in code for the tests, with the powers room's classes.

MEETING_RULES follows domain.md §3: the party-members' meeting (≥ 2/3 attend; passes
with more than half of those required to attend), the villagers' meeting (more than half
of adult villagers or 2/3 of households present; more than half of those present agree),
the representatives' meeting (2/3 present; more than half of those present agree), and
the two committees (more than half present; more than half of the members agree).
"""

from __future__ import annotations

from sunlit.accounts.models import Role
from sunlit.powers.flow import (
    APPROVED,
    REJECTED,
    AttachmentRequirement,
    Flow,
    Item,
    MeetingRule,
    Step,
    Threshold,
)

MEETING_RULES = {
    "party_members": MeetingRule(
        key="party_members",
        name_zh="党员大会",
        name_en="party members' meeting",
        quorum=(Threshold("expected", ">=", "2/3"),),
        passes=Threshold("expected", ">", "1/2"),
    ),
    "villagers": MeetingRule(
        key="villagers",
        name_zh="村民会议",
        name_en="villagers' meeting",
        quorum=(Threshold("expected", ">", "1/2"), Threshold("expected", ">=", "2/3", unit="households")),
        passes=Threshold("present", ">", "1/2"),
    ),
    "representatives": MeetingRule(
        key="representatives",
        name_zh="村民代表会议",
        name_en="representatives' meeting",
        quorum=(Threshold("expected", ">=", "2/3"),),
        passes=Threshold("present", ">", "1/2"),
    ),
    "committees": MeetingRule(
        key="committees",
        name_zh="两委会议",
        name_en="joint meeting of the two committees",
        quorum=(Threshold("expected", ">", "1/2"),),
        passes=Threshold("expected", ">", "1/2"),
    ),
}


def item(code: str, steps: list[Step], **kw: object) -> Item:
    defaults: dict[str, object] = dict(
        name_zh=f"事项{code}",
        name_en=f"item {code}",
        category="service",
        basis="",
        exerciser="村委会",
        supervisor="村务监督委员会",
        conditions=(),
        materials=(),
        time_limit_days=30,
        fee="",
        risks=(),
    )
    defaults.update(kw)
    return Item(code=code, flow=Flow(steps=tuple(steps)), **defaults)  # type: ignore[arg-type]


# 低保 (minimum living allowance), as domain.md §3 describes it.
DIBAO = item(
    "S01",
    [
        Step(
            "apply",
            "受理申请",
            "application received",
            Role.CADRE,
            "village",
            5,
            {"approve": "village_review", "reject": REJECTED},
            records=("decision",),
            attachments=(AttachmentRequirement("application_form", "申请书", "application form"),),
        ),
        Step(
            "village_review",
            "村级调查评议",
            "village investigation and review",
            Role.CADRE,
            "village",
            10,
            {"approve": "publicity", "reject": REJECTED, "return": "apply"},
            records=("decision", "minutes"),
            approval=True,
        ),
        Step(
            "publicity",
            "村级公示",
            "village publicity",
            Role.CADRE,
            "village",
            10,
            {"approve": "township_review", "return": "village_review"},
            publicity_days=7,
        ),
        Step(
            "township_review",
            "乡镇审核",
            "township review",
            Role.TOWNSHIP_OFFICIAL,
            "township",
            15,
            {"approve": "county_approval", "reject": REJECTED, "return": "village_review"},
            records=("decision",),
            approval=True,
        ),
        Step(
            "county_approval",
            "县级审批",
            "county approval",
            Role.TOWNSHIP_OFFICIAL,
            "county",
            10,
            {"approve": "result_publicity", "reject": REJECTED, "return": "township_review"},
            records=("decision",),
            approval=True,
        ),
        Step(
            "result_publicity",
            "结果公示",
            "result publicity",
            Role.CADRE,
            "village",
            10,
            {"approve": APPROVED},
            publicity_days=7,
        ),
    ],
    needs_applicant=True,
    name_zh="城乡低保",
    name_en="minimum living allowance",
)

# A major decision: the 四议两公开 core with its meetings.
MAJOR = item(
    "M01",
    [
        Step(
            "propose",
            "党支部提议",
            "party branch proposes",
            Role.CADRE,
            "village",
            10,
            {"approve": "committees", "reject": REJECTED},
            records=("decision",),
        ),
        Step(
            "committees",
            "两委商议",
            "two committees deliberate",
            Role.CADRE,
            "village",
            10,
            {"approve": "party_members", "reject": REJECTED},
            meeting="committees",
            records=("minutes",),
        ),
        Step(
            "party_members",
            "党员大会审议",
            "party members review",
            Role.CADRE,
            "village",
            10,
            {"approve": "villagers", "reject": REJECTED, "return": "propose"},
            meeting="party_members",
            records=("minutes",),
        ),
        Step(
            "villagers",
            "村民会议决议",
            "villagers' meeting resolves",
            Role.CADRE,
            "village",
            10,
            {"approve": "disclose", "reject": REJECTED},
            meeting="villagers",
            records=("minutes",),
            approval=True,
        ),
        Step(
            "disclose",
            "决议公开",
            "resolution disclosed",
            Role.CADRE,
            "village",
            5,
            {"approve": "supervise", "return": "villagers"},
            publicity_days=3,
        ),
        Step(
            "supervise",
            "监委会审查",
            "supervision committee reviews",
            Role.SUPERVISOR,
            "village",
            5,
            {"approve": APPROVED, "return": "propose"},
            records=("decision",),
            approval=True,
        ),
    ],
    category="major",
    needs_amount=True,
    name_zh="集体资产处置",
    name_en="disposal of collective assets",
)

# The same decision taken by the representatives' meeting instead of the villagers'.
REPRESENTATIVES = item(
    "M02",
    [
        Step(
            "representatives",
            "村民代表会议决议",
            "representatives resolve",
            Role.CADRE,
            "village",
            10,
            {"approve": APPROVED, "reject": REJECTED},
            meeting="representatives",
            approval=True,
        ),
    ],
    category="major",
    name_zh="一事一议筹资",
    name_en="one matter, one discussion",
    # Its approved cases may authorise vouchers (the money raised and spent), nothing else.
    extra={"authorises": ["finance.voucher"]},
)

# A township-level item, and one only for township B (a 特色清单 item).
TOWNSHIP_ITEM = item(
    "T01",
    [
        Step(
            "township_decides",
            "乡镇决定",
            "township decides",
            Role.TOWNSHIP_OFFICIAL,
            "township",
            5,
            {"approve": APPROVED, "reject": REJECTED},
            records=("decision",),
            approval=True,
        ),
    ],
    level="township",
    name_zh="乡镇事项",
    name_en="township matter",
)
SPECIAL_B = item(
    "X01",
    [
        Step(
            "village_decides",
            "村级办理",
            "village handles",
            Role.CADRE,
            "village",
            5,
            {"approve": APPROVED, "reject": REJECTED},
        ),
    ],
    township="431382102000",
    name_zh="石马山特色事项",
    name_en="Shimashan special",
)
