"""English names for the gazetteer, from Hanyu Pinyin (GB/T 16159 place-name spelling).

Conventions: 四川省 → Sichuan Province, a prefecture-level city by its bare name (乐山市 →
Leshan, as it is usually written), a county-level city with "City" (峨眉山市 → Emeishan
City, so it is not mistaken for the prefecture or county of the same name), 巨鹿县 → Julu
County, 金牛区 → Jinniu District, 旗 → Banner, 盟 → League, 地区 → Prefecture, and the
autonomous units with their peoples (凉山彝族自治州 → Liangshan Yi Autonomous Prefecture).
Syllables are run together, with an apostrophe before one that starts with a, o or e (西安 →
Xi'an). The province-level units whose English names are official are listed as such.
"""

import functools

NATIONAL = "China"

OFFICIAL = {
    "北京市": "Beijing Municipality",
    "天津市": "Tianjin Municipality",
    "上海市": "Shanghai Municipality",
    "重庆市": "Chongqing Municipality",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "广西壮族自治区": "Guangxi Zhuang Autonomous Region",
    "西藏自治区": "Tibet (Xizang) Autonomous Region",
    "宁夏回族自治区": "Ningxia Hui Autonomous Region",
    "新疆维吾尔自治区": "Xinjiang Uygur Autonomous Region",
    "陕西省": "Shaanxi Province",  # two a's: not 山西 Shanxi
    "香港特别行政区": "Hong Kong SAR",
    "澳门特别行政区": "Macao SAR",
    "台湾省": "Taiwan Province",
    "全国": NATIONAL,
    "浦东新区": "Pudong New Area",
    "滨海新区": "Binhai New Area",
    "两江新区": "Liangjiang New Area",
    "神农架林区": "Shennongjia Forestry District",
    "沈北新区": "Shenbei New District",
    "矿区": "Kuangqu District",  # 阳泉市矿区: the district's name is the word itself
}

# Place names pypinyin would read with the everyday sound of a character.
READINGS = {
    "重庆": [["chóng"], ["qìng"]],
    "厦门": [["xià"], ["mén"]],
    "六安": [["lù"], ["ān"]],
    "蚌埠": [["bèng"], ["bù"]],
    "长沙": [["cháng"], ["shā"]],
    "乐山": [["lè"], ["shān"]],
    "乐亭": [["lào"], ["tíng"]],
    "东阿": [["dōng"], ["ē"]],
    "番禺": [["pān"], ["yú"]],
    "铅山": [["yán"], ["shān"]],
    "洪洞": [["hóng"], ["tóng"]],
    "涡阳": [["guō"], ["yáng"]],
    "筠连": [["jūn"], ["lián"]],
    "珲春": [["hún"], ["chūn"]],
    "瑷珲": [["ài"], ["huī"]],
    "亳州": [["bó"], ["zhōu"]],
    "犍为": [["qián"], ["wéi"]],
    "枞阳": [["zōng"], ["yáng"]],
    "柞水": [["zhà"], ["shuǐ"]],
    "繁峙": [["fán"], ["shì"]],
    "尉氏": [["wèi"], ["shì"]],
    "台州": [["tāi"], ["zhōu"]],
    "天台": [["tiān"], ["tāi"]],
    "丽水": [["lí"], ["shuǐ"]],
    "丽江": [["lì"], ["jiāng"]],
    "大埔": [["dà"], ["bù"]],
    "黄埔": [["huáng"], ["pǔ"]],
    "乐昌": [["lè"], ["chāng"]],
    "乐清": [["yuè"], ["qīng"]],
    "乐平": [["lè"], ["píng"]],
    "乐至": [["lè"], ["zhì"]],
    "乐东": [["lè"], ["dōng"]],
    "乐都": [["lè"], ["dū"]],
    "乐陵": [["lè"], ["líng"]],
    "乐安": [["lè"], ["ān"]],
    "乐业": [["lè"], ["yè"]],
    "长治": [["cháng"], ["zhì"]],
    "长春": [["cháng"], ["chūn"]],
    "朝阳": [["cháo"], ["yáng"]],
    "都江堰": [["dū"], ["jiāng"], ["yàn"]],
    "阿坝": [["ā"], ["bà"]],
    "曲阜": [["qū"], ["fù"]],
    "莆田": [["pú"], ["tián"]],
    "郫都": [["pí"], ["dū"]],
    "巨鹿": [["jù"], ["lù"]],
    "荥阳": [["xíng"], ["yáng"]],
    "荥经": [["yíng"], ["jīng"]],
    "济南": [["jǐ"], ["nán"]],
    "济宁": [["jǐ"], ["níng"]],
    "济源": [["jǐ"], ["yuán"]],
    "会理": [["huì"], ["lǐ"]],
    "会同": [["huì"], ["tóng"]],
    "会昌": [["huì"], ["chāng"]],
    "会泽": [["huì"], ["zé"]],
    "会宁": [["huì"], ["níng"]],
    "会东": [["huì"], ["dōng"]],
    "大厂": [["dà"], ["chǎng"]],
    "长子": [["zhǎng"], ["zǐ"]],
    "吕梁": [["lǚ"], ["liáng"]],
    "万柏林": [["wàn"], ["bǎi"], ["lín"]],
}
# Characters whose place-name reading is not their most common one (长白, 宜都, 库尔勒, 喀什).
CHARACTERS = {"长": "cháng,zhǎng", "都": "dū,dōu", "勒": "lè,lēi", "什": "shí,shén", "乐": "lè,yuè"}
# One-character stems (the suffix 县 is cut before reading, so no phrase can match).
STEMS = {"单": "Shan", "莘": "Shen", "蔚": "Yu", "歙": "She", "浚": "Xun"}

SUFFIXES = [
    ("特别行政区", "SAR"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("矿区", "Mining District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("省", "Province"),
    ("盟", "League"),
    ("旗", "Banner"),
    ("县", "County"),
    ("区", "District"),
]

# The peoples named in autonomous units, longest first when one name ends another.
PEOPLES = {
    "达斡尔": "Daur",
    "鄂伦春": "Oroqen",
    "鄂温克": "Ewenki",
    "柯尔克孜": "Kirgiz",
    "哈萨克": "Kazakh",
    "维吾尔": "Uygur",
    "塔吉克": "Tajik",
    "蒙古": "Mongol",
    "朝鲜": "Korean",
    "土家": "Tujia",
    "布依": "Bouyei",
    "仡佬": "Gelao",
    "仫佬": "Mulao",
    "毛南": "Maonan",
    "哈尼": "Hani",
    "拉祜": "Lahu",
    "布朗": "Blang",
    "景颇": "Jingpo",
    "傈僳": "Lisu",
    "纳西": "Naxi",
    "普米": "Pumi",
    "独龙": "Derung",
    "裕固": "Yugur",
    "保安": "Bonan",
    "东乡": "Dongxiang",
    "撒拉": "Salar",
    "锡伯": "Xibe",
    "满": "Manchu",
    "回": "Hui",
    "藏": "Tibetan",
    "羌": "Qiang",
    "彝": "Yi",
    "苗": "Miao",
    "侗": "Dong",
    "瑶": "Yao",
    "壮": "Zhuang",
    "畲": "She",
    "黎": "Li",
    "水": "Sui",
    "傣": "Dai",
    "佤": "Va",
    "白": "Bai",
    "怒": "Nu",
    "土": "Tu",
    "各": "Multi-ethnic",  # 龙胜各族自治县
}
_PEOPLES_LONGEST_FIRST = sorted(PEOPLES, key=len, reverse=True)

PREFECTURE, COUNTY = 2, 3


@functools.cache
def _syllables():
    """pypinyin with the place-name readings, loaded on first use: its dictionaries take
    seconds to load, and only a migration or a new region needs them."""
    from pypinyin import Style, lazy_pinyin, load_phrases_dict, load_single_dict

    load_phrases_dict(READINGS)
    load_single_dict({ord(character): readings for character, readings in CHARACTERS.items()})
    return functools.partial(lazy_pinyin, style=Style.NORMAL, v_to_u=True, errors="ignore")


def pinyin(text):
    """四川 → Sichuan, 西安 → Xi'an: one word, capitalised, apostrophe before a, o, e."""
    if text in STEMS:
        return STEMS[text]
    syllables = _syllables()(text)
    word = ""
    for syllable in syllables:
        if word and syllable[:1] in ("a", "o", "e"):
            word += "'"
        word += syllable
    return word[:1].upper() + word[1:]


def _peoples(stem):
    """凉山彝族 → ("凉山", ["Yi"]): the peoples read from the end of an autonomous unit.

    Most are written with 族; a few in Xinjiang without it (木垒哈萨克自治县), which is only
    trusted for names of two or more characters.
    """
    found = []
    while True:
        for name in _PEOPLES_LONGEST_FIRST:
            written = next(
                (w for w in (name + "族", name) if stem.endswith(w) and len(stem) > len(w)), None
            )
            if written and (written.endswith("族") or len(name) > 1):
                found.append(PEOPLES[name])
                stem = stem[: -len(written)]
                break
        else:
            return stem, list(reversed(found))


def english_name(name, level):
    """The English name of a gazetteer unit from its official Chinese name and level."""
    if name in OFFICIAL:
        return OFFICIAL[name]
    if name.endswith("市"):
        stem = pinyin(name[:-1])
        return f"{stem} City" if level == COUNTY else stem
    for suffix, english in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                people = stem.removesuffix("族")
                if people in PEOPLES:  # 鄂伦春自治旗, 东乡族自治县: named after the people
                    return f"{PEOPLES[people]} {english}"
                stem, peoples = _peoples(stem)
                return " ".join([pinyin(stem), *peoples, english])
            return f"{pinyin(stem)} {english}"
    return pinyin(name)


ENGLISH_SUFFIXES = (
    " Municipality",
    " Province",
    " Autonomous Region",
    " SAR",
    " Zhuang",
    " Hui",
    " Uygur",
    " (Xizang)",
)


def english_short_name(name_en):
    """Sichuan Province → Sichuan, Guangxi Zhuang Autonomous Region → Guangxi: for tiles."""
    short = name_en
    for suffix in ENGLISH_SUFFIXES:
        short = short.removesuffix(suffix)
    return short
