"""Every write to the region tree. Keyword-only, atomic, audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.lib.errors import InvalidInput
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.services import publish

# The portal starts at the county: its own, its townships' and villages' profiles are public.
PUBLIC_LEVELS = (codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE)
CSV_COLUMNS = ["code", "name", "level", "parent_code", "is_community", "phone", "address"]
# Chinese headers accepted on import, so a township clerk can use her own spreadsheet.
CSV_ALIASES = {
    "代码": "code",
    "区划代码": "code",
    "名称": "name",
    "级别": "level",
    "上级代码": "parent_code",
    "社区": "is_community",
    "电话": "phone",
    "地址": "address",
}


def region_profile_snapshot(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "parent_code": region.parent_id,
        "is_community": region.is_community,
        "phone": region.phone,
        "address": region.address,
    }


def region_publish_profile(*, region: Region, by: Any | None, reason: str = "") -> Any:
    """Publish the region's public profile (name, contact) to its own chain."""

    return publish(
        chain=region.code,
        kind="region.profile",
        ref=region.code,
        snapshot=region_profile_snapshot(region),
        by=by,
        reason=reason,
    )


@transaction.atomic
def region_create(
    *,
    code: str,
    name: str,
    phone: str = "",
    address: str = "",
    is_community: bool = False,
    by: Any | None,
) -> Region:
    code = codes.validate(code)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Region %(code)s has no name") % {"code": code}, field="name")
    if Region.objects.filter(code=code).exists():
        raise InvalidInput(_("Region %(code)s already exists") % {"code": code}, field="code")
    parent_code = codes.parent_code(code)
    parent = Region.objects.filter(code=parent_code).first() if parent_code else None
    if parent is None and Region.objects.exists() and by is not None:
        # Only a bootstrap (by=None) may start a new root; an administrator adds inside.
        raise InvalidInput(
            _("Region %(code)s needs its parent %(parent)s to exist first") % {"code": code, "parent": parent_code},
            field="code",
        )
    if by is not None:
        jurisdiction.require(by, "region.edit", parent.code if parent else code)
    region = Region(
        code=code,
        name=name,
        level=codes.level_of(code),
        parent=parent,
        phone=phone,
        address=address,
        is_community=is_community,
    )
    region.full_clean()
    region.save()
    audit_record(action="region.create", by=by, obj=region, region_code=code, detail={"name": name})
    return region


@transaction.atomic
def region_update_contact(*, region: Region, phone: str, address: str, by: Any) -> Region:
    jurisdiction.require(by, "region.edit_contact", region.code)
    region.phone = phone.strip()
    region.address = address.strip()
    region.full_clean()
    region.save(update_fields=["phone", "address"])
    audit_record(
        action="region.update_contact",
        by=by,
        obj=region,
        region_code=region.code,
        detail={"phone": region.phone, "address": region.address},
    )
    region_publish_profile(region=region, by=by, reason=_("Contact details updated"))
    return region


def _rows(stream: TextIO) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None:
        raise InvalidInput(_("The file is empty"))
    headers = [CSV_ALIASES.get(h.strip().lstrip("\ufeff"), h.strip().lstrip("\ufeff")) for h in reader.fieldnames]
    missing = [c for c in ("code", "name") if c not in headers]
    if missing:
        raise InvalidInput(_("Missing column(s): %(cols)s") % {"cols": ", ".join(missing)})
    reader.fieldnames = headers
    for number, row in enumerate(reader, start=2):
        yield number, {k: (v or "").strip() for k, v in row.items() if k}


@transaction.atomic
def regions_import_csv(*, stream: TextIO, by: Any | None) -> dict[str, int]:
    """Create or update regions from CSV; all-or-nothing; importing twice changes nothing.

    Rows may come in any order: they are sorted by level so parents exist first.
    Every problem is reported at once, with its row and column.
    """
    problems: list[str] = []
    parsed: list[tuple[int, dict[str, str]]] = []
    seen: set[str] = set()
    for number, row in _rows(stream):
        try:
            code = codes.validate(row.get("code", ""))
        except InvalidInput as e:
            problems.append(_("row %(row)d, column code: %(msg)s") % {"row": number, "msg": e.message})
            continue
        if not row.get("name"):
            problems.append(_("row %(row)d, column name: empty") % {"row": number})
        if row.get("level") and row["level"] != codes.level_of(code):
            problems.append(
                _("row %(row)d, column level: %(given)s, but code %(code)s is a %(level)s")
                % {"row": number, "given": row["level"], "code": code, "level": codes.level_of(code)}
            )
        if row.get("parent_code") and row["parent_code"] != codes.parent_code(code):
            problems.append(
                _("row %(row)d, column parent_code: %(given)s is not the parent of %(code)s")
                % {"row": number, "given": row["parent_code"], "code": code}
            )
        if code in seen:
            problems.append(_("row %(row)d, column code: %(code)s appears twice") % {"row": number, "code": code})
        seen.add(code)
        row["code"] = code
        parsed.append((number, row))
    if problems:
        raise InvalidInput("\n".join(problems))

    # Every parent must be in the file or already stored; only the top rows of a first
    # import into an empty database may start new roots (a county, or a prefecture).
    parents = {p for c in seen if (p := codes.parent_code(c))} - seen
    stored = set(Region.objects.filter(code__in=parents).values_list("code", flat=True))
    empty = not Region.objects.exists()
    top = min(codes.LEVELS.index(codes.level_of(c)) for c in seen) if seen else 0
    for number, row in parsed:
        parent = codes.parent_code(row["code"])
        is_root = empty and codes.LEVELS.index(codes.level_of(row["code"])) == top
        if parent and parent not in seen and parent not in stored and not is_root:
            problems.append(
                _("row %(row)d, column code: parent %(parent)s is neither in the file nor stored")
                % {"row": number, "parent": parent}
            )
    if problems:
        raise InvalidInput("\n".join(problems))

    existing = {r.code: r for r in Region.objects.filter(code__in=seen)}
    created = updated = 0
    parsed.sort(key=lambda item: codes.LEVELS.index(codes.level_of(item[1]["code"])))
    for number, row in parsed:
        code = row["code"]
        community = row.get("is_community", "").lower() in ("1", "true", "yes", "是", "社区")
        region = existing.get(code)
        if region is None:
            region = region_create(
                code=code,
                name=row["name"],
                phone=row.get("phone", ""),
                address=row.get("address", ""),
                is_community=community,
                by=by,
            )
            created += 1
            if region.level in PUBLIC_LEVELS:
                region_publish_profile(region=region, by=by)
        elif (region.name, region.phone, region.address, region.is_community) != (
            row["name"],
            row.get("phone", ""),
            row.get("address", ""),
            community,
        ):
            if by is not None:
                jurisdiction.require(by, "region.edit", code)
            region.name, region.phone, region.address = row["name"], row.get("phone", ""), row.get("address", "")
            region.is_community = community
            region.save(update_fields=["name", "phone", "address", "is_community"])
            audit_record(action="region.update", by=by, obj=region, region_code=code, detail={"row": number})
            updated += 1
            if region.level in PUBLIC_LEVELS:
                region_publish_profile(region=region, by=by, reason=_("Updated by a region import"))
    return {"created": created, "updated": updated, "unchanged": len(parsed) - created - updated}


def regions_export_csv(*, under: Region | None = None) -> str:
    qs = Region.objects.all() if under is None else Region.objects.filter(code__startswith=under.prefix)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in qs.order_by("code").iterator():
        community = "1" if r.is_community else "0"
        writer.writerow([r.code, r.name, r.level, r.parent_id or "", community, r.phone, r.address])
    return out.getvalue()
