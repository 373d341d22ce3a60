import pytest

from ingest.cleaning import clean
from ingest.reading import UnreadableDocument, decode

TEXT = "安康市2017年创业就业工作总结。全年实现城镇新增就业20321人,新增发放创业担保贷款3522笔。"
LIMIT = 10_000_000


def test_it_reads_utf8_with_and_without_bom():
    assert decode(TEXT.encode("utf-8"), max_bytes=LIMIT) == TEXT
    assert decode(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), max_bytes=LIMIT) == TEXT


def test_it_reads_gb18030_and_gbk():
    assert decode(TEXT.encode("gb18030"), max_bytes=LIMIT) == TEXT
    assert decode(TEXT.encode("gbk"), max_bytes=LIMIT) == TEXT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "binary"),
        ("只有几个字".encode(), "no Chinese text"),
    ],
)
def test_it_refuses_what_is_not_a_text_document(data, message):
    with pytest.raises(UnreadableDocument, match=message):
        decode(data, max_bytes=LIMIT)


def test_it_refuses_a_file_above_the_size_limit():
    with pytest.raises(UnreadableDocument, match="limit"):
        decode(TEXT.encode() * 100, max_bytes=1000)


def test_it_refuses_truncated_multibyte_text_in_no_known_encoding():
    data = TEXT.encode("utf-8")[:-1] + b"\xff\xfe\xfd" * 3
    with pytest.raises(UnreadableDocument):
        decode(data, max_bytes=LIMIT)


def test_cleaning_removes_injected_spam_and_keeps_header_lines_as_metadata():
    raw = (
        "\\bt365官网关于做好就业创业工作的实施意见\n- 发布者:政务公开办\n- 发布时间:2018-06-05\n"
        "当前位置:首页 > 政务公开 > 通知\n正文第一段。\n\\bt365官网\n2018年5月22日"
    )
    cleaned = clean(raw)
    assert cleaned.text.splitlines() == [
        "关于做好就业创业工作的实施意见",
        "正文第一段。",
        "2018年5月22日",
    ]
    assert cleaned.header["发布时间"] == "2018-06-05"
    assert cleaned.header["发布者"] == "政务公开办"


def test_cleaning_turns_full_width_digits_into_ascii():
    assert clean("城镇新增就业２０３２１人。").text == "城镇新增就业20321人。"


def test_it_refuses_byte_soup_that_happens_to_decode_as_gb18030():
    import random

    rng = random.Random(7)
    soup = bytes(rng.randrange(0xB0, 0xF7) for _ in range(4000))
    soup.decode("gb18030")  # it does decode …
    with pytest.raises(UnreadableDocument, match="garbled"):
        decode(soup, max_bytes=LIMIT)  # … but is not a document


def test_it_reads_a_traditional_character_document():
    text = (
        "安康市創業就業工作總結:全年實現城鎮新增就業20321人,發放創業擔保貸款3522筆,培訓貧困勞動力。"
    )
    assert decode(
        text.encode("big5", errors="ignore").decode("big5").encode("utf-8"), max_bytes=LIMIT
    )


def test_markup_and_page_numbers_left_in_a_text_are_removed():
    from ingest.cleaning import clean

    raw = (
        "<p>一、主要措施</p><p><strong>发放创业担保贷款</strong>,给予贴息。</p>\n- 1 - 二、保障措施"
    )
    assert clean(raw).text.split("\n") == [
        "一、主要措施",
        "发放创业担保贷款,给予贴息。",
        "二、保障措施",
    ]


def test_a_stray_control_character_after_a_bom_does_not_reach_the_stored_text():
    # Reading lets a few control characters through; PostgreSQL refuses NUL in text.
    body = "一、各地推进创业担保贷款，扩大就业见习规模。\n" * 3
    text = "\ufeff\x002017年地方就业创新事件\n" + body + "二、\x07开发公益性岗位。\n"
    cleaned = clean(decode(text.encode("utf-8"), max_bytes=10_000))
    assert "2017年地方就业创新事件" in cleaned.text
    assert not any(ord(c) < 32 and c not in "\n\t\f" for c in cleaned.text)
