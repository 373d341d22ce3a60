"""Themes, policy instruments and canonical indicators: the words the extractor looks for."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from initiatives.curation.admin.base import LoggedAdmin
from initiatives.models import Indicator, PolicyInstrument, Theme
from regions.admin import LinesField

CORE_THEMES = {
    "entrepreneurship",
    "poverty_alleviation",
    "graduates",
    "skills",
    "unemployment_insurance",
}


class ThemeForm(forms.ModelForm):
    cues = LinesField(label=_("句内线索词"))
    heading_cues = LinesField(label=_("标题线索词"))

    class Meta:
        model = Theme
        fields = ["key", "name_zh", "name_en", "cues", "heading_cues", "position"]


@admin.register(Theme)
class ThemeAdmin(LoggedAdmin):
    form = ThemeForm
    list_display = ["name_zh", "key", "name_en", "cue_count", "position"]
    list_editable = ["position"]
    search_fields = ["key", "name_zh", "name_en"]
    ordering = ["position", "key"]

    @admin.display(description=_("线索词数"))
    def cue_count(self, theme):
        return len(theme.cues or []) + len(theme.heading_cues or [])

    def get_readonly_fields(self, request, obj=None):
        # Keys appear in URLs, CSV exports and the extractor's rules.
        return ["key"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.key in CORE_THEMES:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action asks once for the whole model; keep the five themes regardless.
        super().delete_queryset(request, queryset.exclude(key__in=CORE_THEMES))


class PolicyInstrumentForm(forms.ModelForm):
    synonyms = LinesField(label=_("同义词"), help_text=_("文件中的其他写法，每行一个"))

    class Meta:
        model = PolicyInstrument
        fields = ["name", "name_en", "slug", "category", "synonyms"]

    def clean(self):
        """No word may name two instruments: the extractor would not know which one is meant."""
        cleaned = super().clean()
        name = cleaned.get("name")
        synonyms = [s for s in cleaned.get("synonyms") or [] if s != name]
        cleaned["synonyms"] = synonyms
        owners = {}
        for other in PolicyInstrument.objects.exclude(pk=self.instance.pk).only("name", "synonyms"):
            for word in [other.name, *(other.synonyms or [])]:
                owners.setdefault(word, other.name)
        # A name equal to another instrument's name is the unique constraint's message.
        if name and name in owners and owners[name] != name:
            self.add_error(
                "name",
                _("“%(word)s”已是政策工具“%(owner)s”的同义词。")
                % {"word": name, "owner": owners[name]},
            )
        clashes = [s for s in synonyms if s in owners]
        if clashes:
            self.add_error(
                "synonyms",
                "；".join(
                    _("“%(word)s”已属于政策工具“%(owner)s”") % {"word": s, "owner": owners[s]}
                    for s in clashes
                ),
            )
        return cleaned


@admin.register(PolicyInstrument)
class PolicyInstrumentAdmin(LoggedAdmin):
    form = PolicyInstrumentForm
    list_display = ["name", "name_en", "category", "synonym_list", "slug"]
    list_filter = ["category"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    ordering = ["name"]

    @admin.display(description=_("同义词"))
    def synonym_list(self, instrument):
        return "、".join(instrument.synonyms or [])

    def get_search_results(self, request, queryset, search_term):
        """Also match synonyms (a JSON list, \\u-escaped on SQLite, so not LIKE-able).

        The vocabulary is a few hundred rows at most: reading it is cheaper than clever SQL.
        """
        narrowed = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            ids = [
                pk
                for pk, synonyms in PolicyInstrument.objects.values_list("pk", "synonyms")
                if any(term in s for s in synonyms or [])
            ]
            if ids:
                queryset |= narrowed.filter(pk__in=ids)
        return queryset, may_have_duplicates


class IndicatorForm(forms.ModelForm):
    units = LinesField(label=_("单位"), help_text=_("基本单位，每行一个，如 人、%、元、笔"))
    synonyms = LinesField(
        label=_("同义词"), required=False, help_text=_("文件中的其他写法，每行一个")
    )

    class Meta:
        model = Indicator
        fields = ["name", "name_en", "code", "units", "synonyms", "position"]

    def clean(self):
        """A word may name two indicators only when their units differ (创业担保贷款: 元 for
        the amount, 笔 for the count); otherwise a target could not be linked to one."""
        cleaned = super().clean()
        name = cleaned.get("name")
        units = set(cleaned.get("units") or [])
        synonyms = [s for s in cleaned.get("synonyms") or [] if s != name]
        cleaned["synonyms"] = synonyms
        clashes = []
        for other in Indicator.objects.exclude(pk=self.instance.pk):
            if not units & set(other.units or []):
                continue
            words = {other.name, *(other.synonyms or [])}
            clashes += [
                _("“%(word)s”已属于同单位的指标“%(owner)s”") % {"word": w, "owner": other.name}
                for w in [name, *synonyms]
                if w and w in words
            ]
        if clashes:
            self.add_error("synonyms", "；".join(clashes))
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorForm
    list_display = ["name", "name_en", "unit_list", "synonym_list", "code", "position"]
    search_fields = ["name", "name_en", "code"]
    prepopulated_fields = {"code": ["name_en"]}
    ordering = ["position", "code"]

    @admin.display(description=_("单位"))
    def unit_list(self, indicator):
        return "、".join(indicator.units or [])

    @admin.display(description=_("同义词"))
    def synonym_list(self, indicator):
        return "、".join(indicator.synonyms or [])
