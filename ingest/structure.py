"""Split a cleaned document into headed paragraphs.

Chinese official documents number their parts in a few conventional ways; the level of a
heading comes from its marker, not from its position:
    第一章 > 第一节 > 一、 > (一) > 1. / 1、 > (1)
A numbered line often carries its heading and its body together: "(一)搭建公共平台,提高服务
水平。巨鹿县坚持…" — the heading ends at the first full stop. Boxed lists (专栏2 …) hold
items "01 …"; a table flattened one cell per line sits between "|" lines.
"""

import re
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十百零〇两"
MARKERS = [
    (1, re.compile(rf"^第[{CN_NUM}\d]+[章篇部分]\s*")),
    (2, re.compile(rf"^第[{CN_NUM}\d]+节\s*")),
    (3, re.compile(rf"^[{CN_NUM}]+\s*[、.]\s*")),
    (4, re.compile(rf"^\(\s*[{CN_NUM}]+\s*\)\s*")),
    (5, re.compile(r"^\d{1,2}\s*[、.](?!\d)\s*")),
    (6, re.compile(r"^\(\s*\d{1,2}\s*\)\s*")),
]
BOX = re.compile(r"^专栏\s*\d*\s*")
BOX_ITEM = re.compile(r"^0\d\s+")
TOC = re.compile(r"^目\s*录$")
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?$")
# Headings under which the text describes the situation, not measures.
BACKGROUND_HEADING = re.compile(
    r"背景|发展基础|基础条件|现状|机遇|挑战|形势|指导思想|基本原则|总体要求|发展目标|主要目标|目标任务"
)
# Headings over an account of the past: figures under them are results, even in a plan.
RETROSPECTIVE_HEADING = re.compile(r"背景|发展基础|基础条件|现状|成效|回顾|主要成绩|工作成绩")
HEADING_MAX = 48


@dataclass
class Paragraph:
    start: int  # offsets into the cleaned text of the body (heading excluded)
    end: int
    headings: list = field(default_factory=list)  # enclosing headings, outermost first
    title: str = ""  # the paragraph's own numbered heading, if any
    kind: str = "body"  # body | box_item | table
    cells: list = field(default_factory=list)  # for tables: (start, end, text) per cell
    # Where ``title`` starts when it shares the body's line ("3.继续实施稳岗返还政策。放宽…"):
    # the heading states the measure, so the paragraph's first initiative starts there.
    title_start: int | None = None

    @property
    def heading_text(self):
        return " › ".join(h for h in [*self.headings, self.title] if h)

    @property
    def is_retrospective(self):
        return any(RETROSPECTIVE_HEADING.search(h) for h in self.headings if h)

    @property
    def is_background(self):
        return any(_is_background_heading(h) for h in self.headings[-2:])


def parse(text, title=""):
    paragraphs = []
    stack = []  # (level, heading)
    offset = 0
    lines = []
    for line in text.split("\n"):
        lines.extend(_split_run_together(offset, line))
        offset += len(line) + 1

    i = 0
    in_toc = False
    toc_seen = set()
    box_heading = None
    while i < len(lines):
        start, line = lines[i]
        if TOC.match(line):
            in_toc = True
            i += 1
            continue
        if in_toc:
            # The contents end where the title or an already listed heading comes again.
            repeated = line == title or line in toc_seen
            if not repeated and (_marker(line) or len(line) <= 20 and not line.endswith("。")):
                toc_seen.add(line)
                i += 1
                continue
            in_toc = False
        if DATE_LINE.match(line):
            i += 1
            continue
        if line == title or (
            i == 0 and not _marker(line) and not line.endswith("。") and len(line) <= 60
        ):
            i += 1
            continue
        if line == "|" and not _is_table_start(lines, i):
            # A lone bar opens or closes a boxed block (专栏): a frame, not content.
            i += 1
            continue
        if line == "|":
            table, i = _read_table(lines, i)
            if table:
                paragraphs.append(
                    Paragraph(
                        start=table[0][0],
                        end=table[-1][1],
                        headings=[h for _, h in stack] + ([box_heading] if box_heading else []),
                        kind="table",
                        cells=table,
                    )
                )
            continue
        if BOX.match(line) and len(line) <= HEADING_MAX:
            box_heading = line
            i += 1
            continue
        if BOX_ITEM.match(line):
            item_start = start + BOX_ITEM.match(line).end()
            # "01 农村农业就业扩容计划" is the item's title; its body is the next line.
            item_title = line[BOX_ITEM.match(line).end() :]
            if (
                len(item_title) <= 30
                and not item_title.endswith("。")
                and i + 1 < len(lines)
                and not _marker(lines[i + 1][1])
            ):
                body_start, body = lines[i + 1]
                if not BOX_ITEM.match(body) and body != "|":
                    paragraphs.append(
                        Paragraph(
                            body_start,
                            body_start + len(body),
                            [h for _, h in stack] + [box_heading or ""],
                            item_title,
                            "box_item",
                        )
                    )
                    i += 2
                    continue
            paragraphs.append(
                Paragraph(
                    item_start,
                    start + len(line),
                    [h for _, h in stack] + [box_heading or ""],
                    "",
                    "box_item",
                )
            )
            i += 1
            continue
        level, marker_end = _marker(line) or (None, 0)
        if level is not None:
            box_heading = None
            rest = line[marker_end:]
            heading, body_offset = _split_heading(rest)
            stack = [(lv, h) for lv, h in stack if lv < level]
            if body_offset is None:
                stack.append((level, heading))
            else:
                body_start = start + marker_end + body_offset
                paragraphs.append(
                    Paragraph(
                        body_start,
                        start + len(line),
                        [h for _, h in stack],
                        heading,
                        title_start=start + marker_end if heading else None,
                    )
                )
                stack.append((level, heading))
            i += 1
            continue
        if not _ends_sentence(line) and len(line) <= 30 and "," not in line:
            # An unnumbered heading line.
            box_heading = None
            stack = [(lv, h) for lv, h in stack if lv < 7] + [(7, line)]
            i += 1
            continue
        paragraphs.append(
            Paragraph(
                start,
                start + len(line),
                [h for _, h in stack] + ([box_heading] if box_heading else []),
            )
        )
        i += 1
    return paragraphs


# Pages that lost their line breaks run numbered parts together on one line, separated by a
# space or following a full stop: "…提出以下意见: 一、深入实施就业优先战略 1.坚持…".
RUN_TOGETHER = re.compile(
    rf"(?:(?<=[。:;)])|\s)\s*(?=[{CN_NUM}]{{1,3}}、|\d{{1,2}}\.(?!\d)[^\d]|第[{CN_NUM}\d]+[章节])"
)


def _split_run_together(offset, line):
    """(offset, line) pieces of one physical line, cut before numbered parts run into it."""
    if len(line) < 160:
        return [(offset, line)]
    cuts = [m.end() for m in RUN_TOGETHER.finditer(line)]
    if len(cuts) < 2:
        return [(offset, line)]
    pieces = []
    bounds = [0, *cuts, len(line)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = line[a:b]
        stripped = piece.rstrip()
        if stripped.strip():
            lead = len(piece) - len(piece.lstrip())
            pieces.append((offset + a + lead, stripped.lstrip()))
    return pieces


def _is_background_heading(heading):
    """A heading over background: "二、发展目标", "一、总体要求和目标任务" — but not "一、进一步
    明确目标任务,多渠道开发就业岗位", whose second half is a measure."""
    if not heading:
        return False
    return all(BACKGROUND_HEADING.search(part) for part in re.split(r"[,;]", heading) if part)


def _marker(line):
    for level, pattern in MARKERS:
        match = pattern.match(line)
        if match:
            return level, match.end()
    return None


def _ends_sentence(line):
    return line.rstrip().endswith(("。", "!", "?", ";", ":", ")", "”"))


def _split_heading(rest):
    """(heading, offset of the body in ``rest``) — body offset None when the line is all heading."""
    match = re.search(r"[。!?:]", rest)
    if match and match.end() < len(rest) and match.start() <= HEADING_MAX:
        body = match.end()
        return rest[: match.start()], body
    if len(rest) <= HEADING_MAX and not _ends_sentence(rest):
        return rest, None
    if match is None or match.start() > HEADING_MAX:
        return "", 0
    if rest.endswith("。") and (re.search(r"[,;]", rest) or len(rest) >= 16):
        # "一、在浙江台州设立服务站,开展劳务协作。": a whole sentence, a measure of its own.
        return "", 0
    return rest.rstrip("。"), None


def _is_table_start(lines, i):
    """A flattened table alternates bar, cell, bar, cell…; a box frame holds many lines."""
    return i + 2 < len(lines) and lines[i + 2][1] == "|" and lines[i + 1][1] != "|"


def _read_table(lines, i):
    """Cells between '|' separator lines: every cell is followed by a bar."""
    cells = []
    while i < len(lines):
        start, line = lines[i]
        if line == "|":
            i += 1
            continue
        next_is_bar = i + 1 < len(lines) and lines[i + 1][1] == "|"
        if not next_is_bar:
            break
        cells.append((start, start + len(line), line))
        i += 1
    return cells, i
