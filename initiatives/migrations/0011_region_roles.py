"""Region roles, the evidence line, and vocabulary the real documents use.

- ``InitiativeRegion.role``: issuer / covered / partner / mentioned. Existing links were
  all places an initiative was counted in, so they become ``covered``.
- ``Initiative.evidence``: why the extractor chose the region and themes.
- Themes for groups the documents single out (rural migrant workers, veterans, disabled
  persons) and older or local names of instruments (返乡创业基地, 扶贫公益岗 …). Only what
  is missing is added: curators may already have edited these rows in admin.
"""

from django.db import migrations, models

NEW_THEMES = [
    {
        "key": "rural_migrant_workers",
        "name_zh": "农民工就业",
        "name_en": "Rural migrant workers",
        "cues": [
            "农民工",
            "农民务工",
            "外出务工",
            "务工人员",
            "进城务工",
            "农村劳动力转移",
            "农村富余劳动力",
            "劳务输出",
            "劳务协作",
            "农牧民转移就业",
        ],
        "heading_cues": ["农民工", "农民务工", "劳务输出", "转移就业"],
    },
    {
        "key": "veterans",
        "name_zh": "退役军人就业",
        "name_en": "Veterans",
        "cues": ["退役军人", "退役士兵", "军转干部", "随军家属", "军人家属"],
        "heading_cues": ["退役军人", "退役士兵"],
    },
    {
        "key": "disabled_persons",
        "name_zh": "残疾人就业",
        "name_en": "Persons with disabilities",
        "cues": ["残疾人", "残障人士", "盲人按摩", "辅助性就业"],
        "heading_cues": ["残疾人"],
    },
]
# theme key → (cues, heading cues) to add: words of the real documents that name the theme.
NEW_THEME_CUES = {
    "graduates": (["走访高校", "进高校"], ["高校"]),
    "skills": (["职业农民"], []),
    "poverty_alleviation": (["乡村公益性岗位"], []),
}
# canonical name → synonyms to add (older names and local variants seen in documents).
NEW_SYNONYMS = {
    "返乡入乡创业园": ["返乡创业基地", "返乡创业孵化基地", "返乡创业示范园", "返乡创业示范基地"],
    "创业担保贷款": ["创业担保贴息贷款", "小额贷款担保"],
    "稳岗补贴": ["稳岗资金", "稳岗奖补"],
    "求职创业补贴": ["求职补助", "一次性求职创业补贴"],
    "公益性岗位": ["扶贫公益岗", "乡村公益性岗位", "公益岗位", "乡村公益岗"],
    "就业援助": ["援助就业困难人员", "就业困难人员援助"],
    "就业创业服务补贴": ["职业介绍补助"],
    "扶贫车间": ["帮扶车间", "就业扶贫车间"],
    "交通补贴": ["跨省务工交通补贴", "务工交通补贴"],
    "劳务协作": ["劳务合作", "对口劳务协作", "省际劳务协作"],
    "职业技能培训": ["技能提升培训", "转岗培训", "适应性培训"],
    "高校毕业生基层服务项目": ["三支一扶计划"],
    "阶段性减免社会保险费": ["社会保险费延期缴纳", "缓缴社会保险"],
}


def add_vocabulary(apps, schema_editor):
    Theme = apps.get_model("initiatives", "Theme")
    PolicyInstrument = apps.get_model("initiatives", "PolicyInstrument")
    position = Theme.objects.count()
    for theme in NEW_THEMES:
        _, created = Theme.objects.get_or_create(
            key=theme["key"], defaults={**theme, "position": position}
        )
        position += created
    for key, (cues, heading_cues) in NEW_THEME_CUES.items():
        theme = Theme.objects.filter(key=key).first()
        if theme is None:
            continue
        theme.cues = [*(theme.cues or []), *(c for c in cues if c not in (theme.cues or []))]
        theme.heading_cues = [
            *(theme.heading_cues or []),
            *(c for c in heading_cues if c not in (theme.heading_cues or [])),
        ]
        theme.save(update_fields=["cues", "heading_cues"])
    taken = set()
    for synonyms in PolicyInstrument.objects.values_list("synonyms", flat=True):
        taken.update(synonyms or ())
    taken.update(PolicyInstrument.objects.values_list("name", flat=True))
    for name, synonyms in NEW_SYNONYMS.items():
        instrument = PolicyInstrument.objects.filter(name=name).first()
        if instrument is None:
            continue
        # A synonym already held by another instrument would make matching ambiguous.
        missing = [s for s in synonyms if s not in taken]
        if missing:
            instrument.synonyms = [*(instrument.synonyms or []), *missing]
            instrument.save(update_fields=["synonyms"])
            taken.update(missing)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0010_resources")]

    operations = [
        migrations.AddField(
            model_name="initiative",
            name="evidence",
            field=models.CharField(
                blank=True, editable=False, max_length=300, verbose_name="抽取依据"
            ),
        ),
        migrations.AddField(
            model_name="initiativeregion",
            name="role",
            field=models.CharField(
                choices=[
                    ("issuer", "发文或实施地区"),
                    ("covered", "适用地区"),
                    ("partner", "协作或输出地区"),
                    ("mentioned", "仅提及"),
                ],
                default="covered",
                max_length=10,
                verbose_name="角色",
            ),
        ),
        migrations.RunPython(add_vocabulary, migrations.RunPython.noop),
    ]
