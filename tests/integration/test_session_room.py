"""Five phones in a live study session, over the widget protocol the load test speaks (`hoctap.load.Phone`, no
browser), against the real join page (notebooks/learner/session.ipynb) on the learner Voila and the trainer's panel
(`widgets.session.trainer_panel`, in a one-cell notebook on the same server) driven through its own buttons.

Each phone opens the join page with the code in its link, types its roster id and access code, presses "Tham gia",
then answers the question the trainer sent. What is asserted is what the room promises, read from the database and
from the projected chart's widget: five present, five answers, one per learner, and the chart counting all five.
No timing (the bench times it: tests/bench/session.py).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from hoctap.course import engine_for
from hoctap.course.roster import Learner as RosterLearner
from hoctap.course.roster_import import import_roster, read_codes_file
from hoctap.load import Phone, Projector, StepFailed
from hoctap.sessions import Board, Rooms, room_answer_table
from tests.quiz_kit import build_kit

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
LESSON = "tong-quan"
PHONES = 5
FIFTH = RosterLearner("hv-005", "Hoàng Văn Em", "Chi bộ Văn phòng", "dang-vien")  # the kit has four learners


@pytest.fixture(scope="module")
def room(tmp_path_factory, voila_server_module):
    """(learner Voila's URL, kit, {learner id: access code}): the join page and a trainer's notebook on one server."""
    home = tmp_path_factory.mktemp("session-room")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))  # inherited by Voila and its kernels
        patch.delenv("HOCTAP_DB_URL", raising=False)
        kit = build_kit(home)
        fifth_codes = home / "var" / "codes-hv-005.csv"
        import_roster([FIFTH], kit.course.db_url, fifth_codes)
        codes = {**kit.codes, **{sid: row[-1] for sid, row in read_codes_file(fifth_codes).items()}}
        site = home / "notebooks" / "learner"
        shutil.copy(ROOT / "notebooks" / "learner" / "session.ipynb", site / "session.ipynb")
        trainer = f"from widgets import session\nsession.trainer_panel({kit.topic.id!r}, [{LESSON!r}])"
        _one_cell_notebook(site / "trainer.ipynb", trainer)
        yield voila_server_module(site), kit, codes


def _one_cell_notebook(path: Path, source: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)


def _in_parallel(phones: list[Phone], step) -> list[str]:
    """Run `step(phone, index)` for every phone at once; the failures, as "learner: step: why"."""

    def run(phone: Phone, index: int) -> None:
        try:
            step(phone, index)
        except StepFailed:
            pass  # kept in phone.failed

    threads = [threading.Thread(target=run, args=(phone, i)) for i, phone in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return [f"{phone.learner_id}: {phone.failed}" for phone in phones if phone.failed]


def test_five_phones_join_and_answer_once_each_and_the_trainers_chart_counts_them(room):
    base, kit, codes = room
    ids = sorted(codes)[:PHONES]
    question = next(q for q in kit.topic.questions if q.lesson == LESSON and str(q.type) == "single")
    projector = Projector.open_page(base, "voila/render/trainer.ipynb")
    phones = [Phone(base, sid, codes[sid], "") for sid in ids]
    try:
        code = projector.open_session("Phòng họp chi bộ", "Báo cáo viên")
        for phone in phones:
            phone.session_code = code  # the QR code's link: voila/render/session.ipynb?ma=<code>
        assert _in_parallel(phones, lambda phone, _i: (phone.arrive(), phone.join())) == []
        assert projector.watch(lambda p: p.count() == PHONES, 60), projector.counts

        projector.send_bank(question.id)
        assert projector.chart() == (0, {o.id: 0 for o in question.options})
        assert _in_parallel(phones, lambda phone, i: phone.answer(i)) == []
        assert projector.watch(lambda p: p.answered == PHONES, 60), projector.updates[-1:]

        engine = engine_for(kit.course.db_url)
        session = Rooms(engine).by_code(code)
        present = Rooms(engine).present(session.id)
        assert sorted(p.student_id for p in present) == ids
        assert {p.how for p in present} == {"phone"}
        sent = Board(engine).current(session.id)
        assert sent.bank_id == question.id and sent.state == "open"
        answers = room_answer_table
        with engine.connect() as db:
            rows = db.execute(select(answers.c.student_id).where(answers.c.question_id == sent.id)).all()
        assert sorted(sid for (sid,) in rows) == ids  # five answers, one per learner
        tally = Board(engine).tally(sent.id)
        options = [o.id for o in question.options]
        chosen = {o: sum(1 for i in range(PHONES) if options[i % len(options)] == o) for o in options}
        assert tally.counts == chosen  # each phone's option, as it pressed it
        assert projector.chart() == (PHONES, chosen)  # and the projected chart says the same
    finally:
        for phone in phones:
            phone.close()
        projector.close()
