"""Releases of the published data: what each version of the full download contained, so the
next one can say what changed (``changes.csv``)."""

import json
import zlib

from django.db import models
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    """One version of the full download, recorded the first time it is written (on the web
    or by ``manage.py export package``).

    ``contents`` keeps, per published table, each row's stable key and a short digest of the
    row, with its id: ``{"initiatives": {key: [digest, id]}, "targets": {…}}`` as
    zlib-compressed JSON (about 30 bytes a row), enough to tell added, changed and removed
    rows apart without keeping the rows themselves."""

    version = models.CharField(_("版本"), max_length=40)
    created = models.DateTimeField(_("数据日期"))
    recorded = models.DateTimeField(_("记录时间"), auto_now_add=True)
    contents = models.BinaryField(_("各行摘要"))

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["version"], name="release_version_idx")]

    def __str__(self):
        return self.version

    @staticmethod
    def pack(contents):
        text = json.dumps(contents, sort_keys=True, separators=(",", ":"))
        return zlib.compress(text.encode(), 9)

    def unpacked(self):
        return json.loads(zlib.decompress(bytes(self.contents)))
