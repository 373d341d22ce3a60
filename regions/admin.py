"""Admin for the gazetteer: curators search it, add aliases, and never delete a row.

Also home to two helpers the initiatives admin reuses (it depends on regions, not the
other way round): ``LinesField`` for JSON lists edited one item per line, and
``region_label`` which tells apart the many 鼓楼区 and 城关镇 of the country.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils.translation import gettext_lazy as _

from regions.gazetteer import gazetteer
from regions.models import Region


class LinesField(forms.CharField):
    """A JSON list of strings shown as a textarea, one item per line.

    Blank lines and surrounding spaces are dropped and repeats are removed (first one
    wins), so what is saved is always a clean list; the form sees an unchanged list as
    unchanged, which keeps ``form.changed_data`` (and so ``curated_fields``) honest.
    """

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("每行一项"))
        for unused in ("encoder", "decoder", "max_length"):
            kwargs.pop(unused, None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            lines = value
        else:
            lines = (value or "").splitlines()
        return list(dict.fromkeys(str(line).strip() for line in lines if str(line).strip()))

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return self.to_python(initial) != self.to_python(data)


def region_label(region):
    """``鼓楼区（江苏省/南京市，320106）`` — the bare name is ambiguous across the country."""
    place = gazetteer().get(region.pk)
    if place is None or place.level <= 1:
        return f"{region.name}（{region.pk}）"
    above = gazetteer().path_name(place.parent_code)
    return f"{region.name}（{above}，{region.pk}）"


class RegionAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Region):
            result["text"] = region_label(obj)
        return result


def _autocomplete_view(request):
    return RegionAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# The site-wide autocomplete endpoint labels results with str(obj); for regions that is
# a bare name shared by dozens of places. The admin URLs are built after autodiscovery,
# so replacing the view here is enough (other models keep the default labels).
admin.site.autocomplete_view = _autocomplete_view


class RegionForm(forms.ModelForm):
    aliases = LinesField(label=_("别名"), help_text=_("其他常见写法，每行一个名称"))

    class Meta:
        model = Region
        fields = ["code", "name", "short_name", "name_en", "aliases", "level", "parent"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Read-only for curators; superusers may edit, under a warning (the change form's
    template) that official names and codes come from GB/T 2260.

    Edits are written to the curation activity log. That log lives in ``initiatives``;
    it is imported where used, the one place where regions reaches up (as the initiatives
    admin reaches into ingest for uploads).
    """

    form = RegionForm
    list_display = ["code", "name", "short_name", "name_en", "level", "parent", "alias_list"]
    list_display_links = ["code", "name"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    list_per_page = 50
    search_fields = ["=code", "name", "short_name", "name_en"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
    show_full_result_count = False

    @admin.display(description=_("别名"))
    def alias_list(self, region):
        return "、".join(region.aliases or [])

    @admin.display(description=_("完整路径"))
    def path_name(self, region):
        return gazetteer().path_name(region.pk) or region.name

    def get_readonly_fields(self, request, obj=None):
        # Codes, levels and parents are the gazetteer's skeleton: documents, initiatives and
        # targets point at them. Curators add names (aliases) to an existing row.
        if obj is None:
            return []
        return ["path_name", "code", "level", "parent"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["code", "name", "short_name", "name_en", "aliases", "level", "parent"]
        return ["path_name", "code", "name", "short_name", "name_en", "aliases", "level", "parent"]

    def has_change_permission(self, request, obj=None):
        # One POST renamed 湄潭县 to 湄谭县 on the live site: official names are the
        # standard's, not a curator's. Other spellings are added as aliases by a superuser.
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change):
        from initiatives.curation import records as curation
        from initiatives.models import CurationActivity

        if change:
            before = {name: form[name].initial for name in form.changed_data}
            after = {name: form.cleaned_data[name] for name in form.changed_data}
        super().save_model(request, obj, form, change)
        if change:
            curation.log_changes(request.user, obj, before, after)
        else:
            curation.log([curation.activity(request.user, obj, CurationActivity.Action.ADD)])

    def has_delete_permission(self, request, obj=None):
        # Gazetteer rows are referenced by documents, initiatives and targets (PROTECT), and
        # a deleted code would silently change what "in 四川省" means. Nobody deletes here.
        return False

    def get_search_results(self, request, queryset, search_term):
        """Also find regions by alias, e.g. 巨鹿 or 内蒙 or 成都.

        Aliases live in a JSON list, which SQLite stores \\u-escaped, so a LIKE on the column
        cannot see Chinese text; the in-memory gazetteer (~3,200 rows) is searched instead.
        """
        narrowed = queryset  # already filtered by the sidebar or the autocomplete
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            codes = [
                place.code
                for place in gazetteer().by_code.values()
                if any(term in alias for alias in place.aliases)
            ]
            if codes:
                queryset |= narrowed.filter(code__in=codes)
        return queryset, may_have_duplicates
