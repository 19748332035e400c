"""The programmes file (data/programmes.yaml): read, checked whole, loaded in place.

Like the power list (sunlit/powers/loader.py), the file is data in the repository: a
county that pays another programme adds it there. Every problem is reported at once;
loading changes nothing unless the whole file is right. A programme's `item` must be a
code of the current power list when one is loaded; otherwise the item is noted as
missing (the programme still loads: the list may be loaded after it).

Which cases may authorise a payment is the power list's to say, not this file's: a
payment of programme `dibao` has the purpose `welfare.payment:dibao` (`purpose`), and
an item authorises it when its `authorises:` names that. The programme's `item` is
where its applications are decided, shown on its published lists and used to offer
cases in the payment form; loading notes a programme whose item, in the current list,
does not authorise its payments (`unauthorised`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput
from sunlit.powers.models import PowerItem
from sunlit.powers.selectors import current_version
from sunlit.welfare.models import Per, Rhythm

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = DATA_DIR / "programmes.yaml"
FIELDS = {"code", "short_zh", "name_zh", "name_en", "item", "rhythm", "per"}
CODE = re.compile(r"^[a-z][a-z0-9_]{1,19}$")


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    short_zh: str
    name_zh: str
    name_en: str
    item: str
    rhythm: str
    per: str
    position: int


def parse(source: str) -> list[ProgrammeSpec]:
    """The programmes of a file, or InvalidInput with one problem per line."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as e:
        raise InvalidInput(_("The programmes file is not valid YAML: %(error)s") % {"error": e}) from None
    if not isinstance(data, dict) or data.get("format") != 1 or not isinstance(data.get("programmes"), list):
        raise InvalidInput(_("The programmes file needs `format: 1` and a list `programmes`."))
    problems: list[str] = []
    specs: list[ProgrammeSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["programmes"], start=1):
        if not isinstance(raw, dict):
            problems.append(_("programme %(n)d: not a mapping") % {"n": index})
            continue
        unknown = sorted(set(raw) - FIELDS)
        missing = sorted(FIELDS - set(raw))
        if unknown:
            problems.append(_("programme %(n)d: unknown field(s) %(f)s") % {"n": index, "f": ", ".join(unknown)})
        if missing:
            problems.append(_("programme %(n)d: missing field(s) %(f)s") % {"n": index, "f": ", ".join(missing)})
            continue
        values: dict[str, Any] = {k: str(raw[k]).strip() for k in FIELDS}
        if not CODE.match(values["code"]):
            problems.append(
                _("programme %(n)d: code %(c)r must be lower-case letters, digits or _")
                % {"n": index, "c": values["code"]}
            )
        if values["code"] in seen:
            problems.append(_("programme %(n)d: code %(c)s is used twice") % {"n": index, "c": values["code"]})
        seen.add(values["code"])
        if values["rhythm"] not in Rhythm.values:
            problems.append(
                _("programme %(n)d: rhythm must be one of %(v)s") % {"n": index, "v": ", ".join(Rhythm.values)}
            )
        if values["per"] not in Per.values:
            problems.append(_("programme %(n)d: per must be one of %(v)s") % {"n": index, "v": ", ".join(Per.values)})
        specs.append(ProgrammeSpec(position=index, **values))
    if problems:
        raise InvalidInput("\n".join(problems))
    return specs


def missing_items(specs: list[ProgrammeSpec]) -> list[str]:
    """Item codes the current power list lacks (empty when no list is loaded yet)."""

    version = current_version()
    if version is None:
        return []
    known = set(PowerItem.objects.filter(version=version).values_list("code", flat=True))
    return sorted({s.item for s in specs} - known)


def default_source() -> str:
    return DEFAULT_FILE.read_text(encoding="utf-8")


def purpose(code: str) -> str:
    """What a payment of programme `code` is, to the power list's `authorises:`
    (sunlit/powers/loader.py PURPOSES)."""
    return f"welfare.payment:{code}"


def unauthorised(specs: list[ProgrammeSpec]) -> list[str]:
    """Codes of the programmes whose item, in the current power list, does not authorise
    their payments (empty when no list is loaded; a missing item is missing_items')."""

    version = current_version()
    if version is None:
        return []
    kinds = dict(PowerItem.objects.filter(version=version).values_list("code", "authorises"))
    return [s.code for s in specs if s.item in kinds and purpose(s.code) not in kinds[s.item]]
