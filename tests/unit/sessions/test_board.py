"""Questions to the room on SQLite and PostgreSQL: sent from the bank or typed, answered by present learners while
open, counted as the chart draws them, revealed with the explanation and source line; the word filter."""

from __future__ import annotations

import datetime as dt

import pytest

from hoctap.errors import SessionError
from hoctap.sessions import Board, Rooms, SessionPlan, WordFilter, bank_question, blocked, typed
from hoctap.topic import topic_by_id

from .roster_db import roster_engine

START = dt.datetime(2021, 8, 10, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def room(db_url):
    engine = roster_engine(db_url)
    rooms = Rooms(engine)
    s = rooms.open(SessionPlan("2021-chuyen-de-toan-khoa", ("noi-dung-1",), "chi-bo-1", "Chi bộ 1", "", "", START))
    for learner in ("hv-001", "hv-002", "hv-003"):
        rooms.join(s.id, learner)
    return Board(engine), s


def test_a_bank_question_is_answered_counted_and_revealed_without_its_key_before(room):
    board, s = room
    topic = topic_by_id("2021-chuyen-de-toan-khoa")
    source = next(q for q in topic.questions if str(q.type) == "single")
    q = board.send(s.id, bank_question(source))
    phone = q.for_phone()
    assert "answer" not in phone and "explanation" not in phone and phone["state"] == "open"
    wrong = next(o.id for o in source.options if o.id != source.answer)
    board.answer(q.id, "hv-001", [source.answer])
    board.answer(q.id, "hv-002", [wrong])
    board.answer(q.id, "hv-002", source.answer)  # a change of mind replaces the first answer
    tally = board.tally(q.id)
    assert tally.answered == 2 and tally.counts[source.answer] == 2 and tally.counts[wrong] == 0
    assert list(tally.counts) == [o.id for o in source.options]
    assert tally.names[source.answer] == ["hv-001", "hv-002"]
    board.reveal(q.id)
    shown = board.get(q.id).for_phone()
    assert shown["state"] == "revealed" and shown["answer"] == [source.answer]
    assert shown["explanation"] == source.explanation and shown["cite"] == str(source.cite)
    with pytest.raises(SessionError, match="đã đóng"):
        board.answer(q.id, "hv-003", [source.answer])


def test_only_present_learners_answer_and_answers_are_checked(room):
    board, s = room
    q = board.send(s.id, typed("multiple", "Chọn các ý đúng", ["Một", "Hai", "Ba"], answer=[0, 2]))
    assert q.answer == ("a", "c") and [o["id"] for o in q.options] == ["a", "b", "c"]
    with pytest.raises(SessionError, match="tham gia buổi học"):
        board.answer(q.id, "hv-004", ["a"])
    with pytest.raises(SessionError, match="lựa chọn"):
        board.answer(q.id, "hv-001", ["z"])
    board.answer(q.id, "hv-001", ["c", "a", "a"])
    assert board.answer_of(q.id, "hv-001") == ["a", "c"]


def test_sending_a_question_closes_the_last_one_and_phones_see_the_newest(room):
    board, s = room
    first = board.send(s.id, typed("yes-no", "Đúng hay sai?", answer=[0]))
    second = board.send(s.id, typed("word", "Một từ về chuyên đề"))
    assert board.get(first.id).state == "closed" and board.current(s.id).id == second.id
    assert [q.number for q in board.questions(s.id)] == [1, 2]


def test_words_are_counted_by_their_spelling_with_diacritics(room):
    board, s = room
    q = board.send(s.id, typed("word", "Một từ"))
    board.answer(q.id, "hv-001", "Tự lực ")
    board.answer(q.id, "hv-002", "tự  lực!")
    board.answer(q.id, "hv-003", "tu luc")
    tally = board.tally(q.id)
    assert tally.counts == {"tự lực": 2, "tu luc": 1} and tally.words["tự lực"] in ("Tự lực", "tự lực!")


def test_a_typed_question_is_refused_in_words_when_incomplete():
    with pytest.raises(SessionError, match="từ 2 đến 8 lựa chọn"):
        typed("single", "Hỏi?", ["Chỉ một"])
    with pytest.raises(SessionError, match="câu hỏi còn trống"):
        typed("yes-no", "  ")
    with pytest.raises(SessionError, match="đúng một đáp án"):
        typed("single", "Hỏi?", ["A", "B"], answer=[0, 1])


def test_the_word_filter_starts_from_the_kits_list_and_the_organiser_edits_it(db_url):
    engine = roster_engine(db_url)
    words = WordFilter(engine)
    assert "dm" in words.words()
    assert blocked("Đ.M", words.words()) and blocked("đ m", words.words()) and not blocked("đoàn kết", words.words())
    words.add(["Lười Biếng"])
    assert blocked("thật là lười biếng quá", words.words())
    assert words.remove(["luoi bieng"]) == 1 and not blocked("lười biếng", WordFilter(engine).words())
