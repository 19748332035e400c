"""The accounts room: people, roles, memberships over a region subtree; the one jurisdiction check."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import ADMIN, ALL_ROLES, CADRE, INSPECTOR, SUPERVISOR, TOWNSHIP, Desk, Room

ROOM = Room(
    name="accounts",
    label=_("People and roles"),
    # Memberships point at the region tree (sunlit.regions' models, codes and selectors: the
    # foundation every room stands on); the regions room's services and pages, which check
    # jurisdiction and publish profiles, stand on accounts (see the import contracts).
    depends_on=("audit",),
    actions={
        # Seeing the back-office view of a region: its people, its audit trail.
        "region.view": ALL_ROLES,
        "region.edit": {ADMIN},
        # A village's own contact details, kept by its cadres and the township.
        "region.edit_contact": {CADRE, TOWNSHIP, ADMIN},
        "membership.view": {TOWNSHIP, INSPECTOR, ADMIN},
        "membership.grant": {ADMIN},
        "audit.view": {INSPECTOR, ADMIN},
        # Records in general: cadres create and edit, supervisors and the township review,
        # the township approves. Each room's own actions refine these for its records.
        "record.create": {CADRE, TOWNSHIP},
        "record.edit": {CADRE, TOWNSHIP},
        "record.review": {SUPERVISOR, TOWNSHIP},
        "record.approve": {TOWNSHIP},
        "record.publish": {CADRE, TOWNSHIP, ADMIN},
    },
    desks=(
        Desk("accounts:memberships", _("Memberships"), "membership.view"),
        Desk("accounts:audit", _("Audit log"), "audit.view"),
    ),
    urls="sunlit.accounts.urls",
)
