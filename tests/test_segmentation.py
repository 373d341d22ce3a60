"""The segmenter shared by the index and the queries."""

from pathlib import Path

import pytest

from initiatives.search.segmentation import pieces_of, query_terms, segment_for_index

pytestmark = pytest.mark.django_db  # the custom dictionary comes from the vocabularies

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def test_search_mode_keeps_the_words_inside_longer_words():
    tokens = segment_for_index("各地发放创业担保贷款，扶持返乡农民工。").split()
    for word in ("创业担保贷款", "担保", "贷款", "农民", "民工", "农民工"):
        assert word in tokens


def test_instrument_names_and_place_names_stay_whole():
    assert "创业担保贷款" in query_terms("创业担保贷款")
    assert "巨鹿县" in segment_for_index("巨鹿县开展技能培训").split()


def test_traditional_full_width_and_case_are_normalised():
    assert query_terms("創業擔保貸款") == ["创业担保贷款"]
    assert query_terms("ＡＰＰ") == ["app"]
    assert "app" in segment_for_index("就业APP").split()


def test_punctuation_and_whitespace_are_dropped():
    assert query_terms("！？。，、 …") == []
    assert query_terms("  就业，就业。") == ["就业"]
    assert "，" not in segment_for_index("就业，创业。")


def test_queries_are_capped():
    assert len(query_terms(" ".join(f"词{n}" for n in range(200)))) <= 20


def test_a_word_can_be_matched_by_its_pieces():
    assert pieces_of("创业基金") == ["创业", "基金"]
    assert pieces_of("就业") == []


def test_the_fast_segmenter_gives_jiebas_tokens_on_the_sample_corpus(monkeypatch):
    import jieba

    from initiatives.search import segmentation

    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    # Mixed scripts, numbers with signs, dashes and percentages: where the two libraries'
    # block rules differ (jieba 0.42 keeps "+#&._%-" inside a block).
    texts.append("2022-2024年，C++与Wi-Fi培训3.5%；GDP增长6.5%以上、--新增就业1,100万人＋")
    fast = [segment_for_index(text) for text in texts]
    reference = segmentation._build_tokenizer(segmentation.custom_words(), jieba)
    monkeypatch.setattr(segmentation, "_tokenizer", reference)
    assert [segment_for_index(text) for text in texts] == fast
    assert all(fast)
