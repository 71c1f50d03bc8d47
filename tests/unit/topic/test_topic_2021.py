"""The shipped 2021 spec: faithful to the source, and its question bank covers the whole plan."""

from __future__ import annotations

from collections import Counter

import pytest

from hoctap.topic import QuestionType, load_topic
from hoctap.topic.catalog import layout
from hoctap.topic.check import check_file
from hoctap.topic.rules import citations, evidence_items
from hoctap.topic.source import find_source, source_lines
from hoctap.topic.text import contains

SPEC = layout().topics / "2021-chuyen-de-toan-khoa.yaml"
# The lines of TOPIC.md's table of facts: together the questions must cite every one.
TABLE_LINES = {7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 37, 39}


@pytest.fixture(scope="module")
def topic():
    return load_topic(SPEC)


@pytest.fixture(scope="module")
def source(topic):
    path = find_source(topic)
    if path is None:
        pytest.skip(f"văn bản nguồn {topic.source.name} không có ở máy này (../shared/source/): bỏ qua đối chiếu")
    return source_lines(path)


def test_three_contents_five_lessons(topic):
    assert [c.number for c in topic.contents] == [1, 2, 3]
    assert [lesson.kind.value for lesson in topic.lessons] == [
        "overview",
        "content",
        "content",
        "content",
        "implementation",
    ]
    assert (topic.year, topic.kind.value) == (2021, "whole-term")


def test_question_bank_is_large_and_mixed(topic):
    assert len(topic.questions) >= 45
    kinds = Counter(q.type for q in topic.questions)
    assert set(kinds) == set(QuestionType), kinds
    assert all(q.explanation and q.cite for q in topic.questions)


def test_questions_cover_every_line_of_the_facts_table(topic):
    cited = {int(q.cite[1:]) for q in topic.questions}
    assert TABLE_LINES - cited == set()


def test_every_fact_of_the_table_is_in_the_spec(topic):
    f = topic.facts
    assert {d.due.isoformat() for d in f.deadlines} >= {"2021-09-30", "2021-10-31"}
    assert {m.text for m in f.mottos} == {
        "Trên trước, dưới sau, trong trước, ngoài sau",
        "Đảng viên đi trước, làng nước theo sau",
    }
    numbers = {d.number for d in f.documents}
    for number in (
        "05-CT/TW",
        "3058/UBND-NC",
        "27/CT-TTg",
        "3232/UBND-NC",
        "26/CT-TTg",
        "1847/QĐ-TTg",
        "434-CV/BTGTU",
        "01-KL/TW",
    ):
        assert any(contains(n, number) for n in numbers), number
    assert sorted(r.years for r in f.review_cycles) == [1, 3, 5]
    assert len(f.focal_contents) == 3
    assert {c.cite for c in f.commitments} >= {"L29", "L31"}
    cited = {int(s.cite[1:]) for s in f.statements}
    assert {9, 15, 17, 19, 21, 23, 27, 37, 39} <= cited


def test_every_citation_is_a_content_line_of_the_source(topic, source):
    for path, cite in citations(topic):
        number = int(cite[1:])
        assert number <= len(source), (path, cite)
        assert source[number - 1].strip(), f"{path}: {cite} is blank"
        assert number in topic.source.content_line_numbers(), (path, cite)


def test_every_evidence_phrase_stands_in_its_line(topic, source):
    for path, cite, evidence in evidence_items(topic):
        assert contains(source[int(cite[1:]) - 1], evidence), (path, cite, evidence)


def test_topic_check_is_clean_against_the_source(topic, source):
    result = check_file(SPEC)
    assert result.problems == []
    assert result.notes == []


def test_the_project_holds_no_copy_of_the_source(topic, source):
    """Facts and short phrases only: beyond the contents' official names, no long run of the article
    stands in the spec."""
    spec_text = " ".join(SPEC.read_text(encoding="utf-8").split())
    names = [" ".join(c.title.split()) for c in topic.contents]
    for number in topic.source.content_line_numbers():
        words = source[number - 1].split()
        for start in range(0, max(len(words) - 20, 0)):
            run = " ".join(words[start : start + 20])
            if any(run in name for name in names):
                continue
            assert run not in spec_text, f"L{number} copied: {run[:80]}…"
