"""What the projector shows of a question's answers: a bar per option, or a cloud of words; the reveal's box.

Pure functions from the core's `RoomQuestion` and `Tally` to HTML. Every text is escaped: options may be typed by
a trainer, words by any learner, names come from a roster file. A word the organiser's filter holds is counted but
never drawn (`blocked`): the cloud says how many were hidden. Bars are plain CSS (no plotting library in the kernel:
the chart is redrawn whenever an answer arrives, in milliseconds).

Stable CSS classes (browser tests): hoctap-room-chart (data-answered), hoctap-room-bar (data-option, data-count),
hoctap-room-cloud, hoctap-room-word (data-count), hoctap-room-hidden, hoctap-room-reveal, hoctap-room-right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..style import esc

if TYPE_CHECKING:  # pragma: no cover - the phone's page imports this module before any database work
    from hoctap.sessions import RoomQuestion, Tally

CHART_CSS = """
.hoctap-room-chart { font-size: 22px; }
.hoctap-room-bar { display: grid; grid-template-columns: 2.2em minmax(6em, 18em) 1fr 4.5em; align-items: center;
  gap: 8px; margin: 6px 0; }
.hoctap-room-bar .hoctap-room-track { background: #e8edf2; border-radius: 6px; height: 34px; overflow: hidden; }
.hoctap-room-bar .hoctap-room-fill { background: #0b4f8a; height: 100%; }
.hoctap-room-bar.hoctap-room-right .hoctap-room-fill { background: #1b7f3a; }
.hoctap-room-bar .hoctap-room-letter { font-weight: bold; }
.hoctap-room-bar .hoctap-room-count { text-align: right; font-weight: bold; }
.hoctap-room-names { grid-column: 2 / 5; font-size: 16px; color: #44505c; }
.hoctap-room-cloud { line-height: 1.6; padding: 8px; }
.hoctap-room-word { display: inline-block; margin: 0 12px; color: #0d2b45; }
.hoctap-room-hidden, .hoctap-room-empty { color: #44505c; font-size: 18px; }
.hoctap-room-reveal { border-left: 6px solid #1b7f3a; background: #eaf6ee; padding: 8px 14px; margin: 8px 0;
  border-radius: 8px; }
"""

LETTERS = "ABCDEFGH"
MAX_WORDS = 40  # a projector shows forty words legibly; the rest are in the trainer's export


def chart_html(
    question: RoomQuestion, tally: Tally, filtered: Iterable[str] = (), names: Mapping[str, str] | None = None
) -> str:
    """The answers so far. `names` (learner id → name) only when the trainer chose the named display."""
    head = f'<div class="hoctap-room-chart" data-answered="{tally.answered}">'
    if question.kind == "word":
        return head + _cloud(tally, list(filtered)) + "</div>"
    right = set(question.answer or ()) if question.state == "revealed" else set()
    rows = []
    for index, option in enumerate(question.options):
        count = tally.counts.get(option["id"], 0)
        share = 100 * count / tally.answered if tally.answered else 0
        mark = " hoctap-room-right" if option["id"] in right else ""
        who = ""
        if names is not None and tally.names.get(option["id"]):
            listed = ", ".join(esc(names.get(sid, sid)) for sid in tally.names[option["id"]])
            who = f'<div class="hoctap-room-names">{listed}</div>'
        rows.append(
            f'<div class="hoctap-room-bar{mark}" data-option="{esc(option["id"])}" data-count="{count}">'
            f'<span class="hoctap-room-letter">{LETTERS[index]}</span><span>{esc(option["text"])}</span>'
            f'<span class="hoctap-room-track"><span class="hoctap-room-fill" style="display:block;width:{share:.1f}%">'
            f'</span></span><span class="hoctap-room-count">{count}</span>{who}</div>'
        )
    return head + "".join(rows) + f"<p>{tally.answered} người đã trả lời</p></div>"


def _cloud(tally: Tally, filtered: list[str]) -> str:
    from hoctap.sessions import blocked

    if not tally.counts:
        return '<p class="hoctap-room-empty">Chưa có câu trả lời.</p>'
    shown = [
        (key, n)
        for key, n in sorted(tally.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if not blocked(key, filtered)
    ]
    hidden = sum(tally.counts.values()) - sum(n for _, n in shown)
    top = shown[0][1] if shown else 1
    words = "".join(
        f'<span class="hoctap-room-word" data-count="{n}" style="font-size:{18 + 42 * n / top:.0f}px">'
        f"{esc(tally.words.get(key, key))}</span>"
        for key, n in shown[:MAX_WORDS]
    )
    note = f'<p class="hoctap-room-hidden">{hidden} câu trả lời bị ẩn theo bộ lọc từ.</p>' if hidden else ""
    return f'<div class="hoctap-room-cloud">{words}</div>{note}<p>{tally.answered} người đã trả lời</p>'


def reveal_html(question: RoomQuestion) -> str:
    """The answer, its explanation and the plan's line it rests on: on the projector and on every phone."""
    if question.state != "revealed":
        return ""
    by_id = {o["id"]: (LETTERS[i], o["text"]) for i, o in enumerate(question.options)}
    if question.kind == "word":
        right = ", ".join(esc(a) for a in question.answer or ()) or "(không có đáp án định sẵn)"
    else:
        right = "; ".join(f"{by_id[a][0]}. {esc(by_id[a][1])}" for a in question.answer or () if a in by_id)
        right = right or "(câu hỏi không có đáp án định sẵn)"
    parts = [f"<p><strong>Đáp án:</strong> {right}</p>"]
    if question.explanation:
        parts.append(f"<p>{esc(question.explanation)}</p>")
    if question.cite:
        parts.append(f"<p><em>Căn cứ: dòng {esc(question.cite[1:])} của kế hoạch ({esc(question.cite)}).</em></p>")
    return f'<div class="hoctap-room-reveal">{"".join(parts)}</div>'
