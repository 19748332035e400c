from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sunlit.regions import codes


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = codes.PROVINCE, _("province")
        PREFECTURE = codes.PREFECTURE, _("prefecture")
        COUNTY = codes.COUNTY, _("county")
        TOWNSHIP = codes.TOWNSHIP, _("township")
        VILLAGE = codes.VILLAGE, _("village")

    # The statistical code is the key: big tables elsewhere carry it, so a province
    # can partition (and a nation shard) by its leading digits.
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    # 社区 (urban community) rather than 村 (village): same level, different words.
    is_community = models.BooleanField(_("urban community"), default=False)
    phone = models.CharField(_("service-centre phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        return codes.prefix_of(self.code)

    @property
    def is_village(self) -> bool:
        return self.level == codes.VILLAGE

    @property
    def county_code(self) -> str:
        return codes.county_of(self.code)
