"""Random draws and option orders are fixed per (learner, assessment, attempt) and differ otherwise."""

from hoctap.attempts.draw import draw

META = {
    "slots": [
        {"slot": 1, "candidates": ["f1"]},
        {"slot": 2, "candidates": ["a", "b", "c", "d", "e", "f"]},
        {"slot": 3, "candidates": ["a", "b", "c", "d", "e", "f"]},
        {"slot": 4, "candidates": ["a", "b", "c", "d", "e", "f"]},
    ],
    "questions": {
        qid: {"type": "single", "options": [{"id": x, "text": x} for x in "pqrst"], "targets": []}
        for qid in ["f1", "a", "b", "c", "d", "e", "f"]
    },
}


def _ids(picks):
    return [p.question for p in picks]


def test_same_attempt_same_quiz():
    assert draw(META, "tn-0001", "quiz", 1) == draw(META, "tn-0001", "quiz", 1)


def test_fixed_slot_keeps_its_question_and_draws_are_distinct():
    for learner in ("tn-0001", "tn-0002", "tn-0003"):
        picks = draw(META, learner, "quiz", 1)
        assert [p.slot for p in picks] == [1, 2, 3, 4]
        assert picks[0].question == "f1"
        assert len(set(_ids(picks)[1:])) == 3


def test_other_learners_and_attempts_get_other_draws_and_orders():
    seen = {tuple(_ids(draw(META, f"tn-{n:04d}", "quiz", 1))) for n in range(20)}
    assert len(seen) > 5
    first, second = draw(META, "tn-0001", "quiz", 1), draw(META, "tn-0001", "quiz", 2)
    assert (_ids(first), first[0].option_order) != (_ids(second), second[0].option_order)


def test_option_order_is_a_permutation():
    for pick in draw(META, "tn-0009", "quiz", 3):
        assert sorted(pick.option_order) == list("pqrst")


def test_questions_placed_from_paper_keep_their_slots_and_the_rest_of_the_pool_fills_the_others():
    for n in range(30):  # whatever the draw would have picked, the paper's questions are never asked twice
        picks = draw(META, f"tn-{n:04d}", "quiz", 1, placed={3: "b"})
        assert picks[2].question == "b" and len(set(_ids(picks))) == 4
    assert draw(META, "tn-0001", "quiz", 1, placed={}) == draw(META, "tn-0001", "quiz", 1)  # same as before
