"""Themes a clause gets from the seeded vocabulary: a word inside another theme's name."""

import pytest

from ingest.vocabulary import Vocabulary

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes_of():
    vocabulary = Vocabulary.from_database()
    return lambda text: set(vocabulary.themes_for(text, []))


def test_a_job_search_subsidy_is_for_graduates_not_for_entrepreneurs(themes_of):
    # 求职创业补贴 ends with 创业补贴, but it pays graduates looking for work.
    assert themes_of("为312名困难家庭毕业生发放一次性求职创业补贴,每人1000元。") == {"graduates"}


def test_a_cue_opening_a_longer_name_still_counts(themes_of):
    assert themes_of("鼓励大学生创业,给予一次性创业补贴。") == {"entrepreneurship", "graduates"}
    assert themes_of("落实失业保险技能提升补贴政策。") == {"unemployment_insurance", "skills"}
