"""Normalise text and strip what is not the document: spam, navigation, page furniture.

Government pages are often scraped with their site chrome, and hacked sites carry
gambling spam injected into titles and signatures (``\\bt365官网``). Header lines such as
``发布时间:2018-06-05`` are taken out of the text and kept as metadata.
"""

import re
import unicodedata
from dataclasses import dataclass, field

# Injected advertising: a Latin/digit brand followed by a site word, or known gambling words.
SPAM_TOKEN = re.compile(
    r"(?:\\[a-z])?[A-Za-z]{0,12}\d{2,}[A-Za-z]{0,12}(?:官网|官方网站|娱乐|体育|平台|app下载|APP下载|网址|注册|登录|开户|投注)"
    r"|(?:\\[a-z])?[A-Za-z]+\d*(?:官网|官方网站|娱乐城|体育官网)"
    r"|bet365|365bet|百家乐|博彩|六合彩|时时彩|棋牌游戏|真人娱乐|网上赌场|澳门(?:新葡京|威尼斯人|金沙|银河)"
)
# Page furniture that carries no content.
BOILERPLATE_LINE = re.compile(
    r"^(?:当前位置|您的位置|你的位置|您现在的位置)"
    r"|^首页\s*[>›»/]"
    r"|(?:[^\s>]{1,12}\s*[>›»]\s*){2,}"
    r"|字[体号]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中"
    r"|打印本页|关闭窗口|分享到|扫一扫|返回顶部|上一篇|下一篇|网站地图|版权所有|ICP备|技术支持[:：]"
    r"|浏览次数|阅读次数|访问量|【打印】|【关闭】|【收藏】|无障碍浏览|繁体版|English\s*$"
)
HEADER_KEYS = (
    "发布者|发布人|发布时间|发布日期|成文日期|发文日期|日期|时间|来源|信息来源|发文机关|发布机构|索引号|文号|"
    "发文字号|作者|编辑|责任编辑|点击数|浏览量"
)
HEADER_LINE = re.compile(rf"^[-•·*]?\s*({HEADER_KEYS})\s*:\s*(.*)$")
HEADER_KEY = re.compile(rf"(?<![\u4e00-\u9fff])({HEADER_KEYS})\s*:")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Markup left in text copied from a page: block tags end a line, inline ones vanish.
BLOCK_TAG = re.compile(r"</?(?:p|br|div|tr|li|h\d|table|tbody|section)\b[^<>]{0,300}/?>", re.I)
INLINE_TAG = re.compile(r"</?(?:strong|span|b|i|em|font|td|a|u|sup|sub|img)\b[^<>]{0,300}/?>", re.I)
# Page numbers of a printed document run into the text: "- 1 -".
PAGE_NUMBER = re.compile(r"(?:^|\s)-\s?\d{1,3}\s?-(?=\s|$)")


@dataclass
class Cleaned:
    text: str
    header: dict = field(default_factory=dict)
    dropped_lines: int = 0


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def normalise(text):
    """Full-width digits, letters and punctuation to their ASCII forms (NFKC), one newline style."""
    text = unicodedata.normalize("NFKC", text)
    text = (
        text.replace("\r\n", "\n").replace("\r", "\n").replace("\u200b", "").replace("\ufeff", "")
    )
    # The few control characters reading lets through (a stray NUL after a BOM) mean nothing
    # in a text, and PostgreSQL refuses NUL in a text column.
    return CONTROL_CHARACTERS.sub("", text)


def clean(raw):
    header = {}
    lines = []
    dropped = 0
    raw = INLINE_TAG.sub("", BLOCK_TAG.sub("\n", normalise(raw)))
    for line in PAGE_NUMBER.sub(" ", raw).split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if not line:
            continue
        without_spam = SPAM_TOKEN.sub("", line).strip()
        if without_spam != line:
            dropped += 1
            line = without_spam
            if not CJK.search(line):
                continue
        match = HEADER_LINE.match(line)
        if match and len(line) < 120:
            # One line may carry several: "发布时间:2021-03-15 来源:温州市人社局".
            keys = list(HEADER_KEY.finditer(line))
            for k, key in enumerate(keys):
                end = keys[k + 1].start() if k + 1 < len(keys) else len(line)
                header.setdefault(key.group(1), line[key.end() : end].strip())
            continue
        if BOILERPLATE_LINE.search(line) and len(line) < 80:
            dropped += 1
            continue
        if not CJK.search(line) and not re.search(r"[\d|]", line):
            # Latin-only mastheads such as "Policy Information".
            dropped += 1
            continue
        lines.append(line)
    return Cleaned(text="\n".join(lines), header=header, dropped_lines=dropped)


def readable_copy(text, convert):
    """``convert(text)`` (e.g. traditional → simplified) line by line, keeping every offset:
    a line whose conversion changes its length (encoding debris, rare characters) stays as
    written, so one damaged line no longer leaves the whole document unconverted."""
    converted = convert(text)
    if len(converted) == len(text):
        return converted
    lines = []
    for line in text.split("\n"):
        new = convert(line)
        lines.append(new if len(new) == len(line) else line)
    return "\n".join(lines)
