"""The plan's deadlines on a timeline, with today marked, filterable by audience.

Deadlines differ by group (key cadres, party members, the People), so organisers pick an audience
and see only that group's dates. `TimelineState` does the sorting, filtering and day counting;
`TimelineView` draws a vertical list (CSS only, so it wraps on a phone) with the today marker
`hoctap-today` between the deadlines already past and those still ahead.

The plan dates some groups' work and not others' (L13 names key cadres, cadres and party members, and the People;
the non-party cadres, civil servants and union members of L31 get a commitment reviewed "định kỳ, cuối năm"). For
a group with no date the timeline says so, and shows what the plan does ask of it (its commitments), never a date
the plan does not give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ipywidgets
import traitlets

from hoctap.errors import HoctapError
from hoctap.topic import Deadline, Topic

from ..source_ref import source_html, source_text
from ..style import date_text, dress, esc, number_text

CLASS = "hoctap-timeline"
TODAY_CLASS = "hoctap-today"
ALL = ""  # the Dropdown value for "Tất cả": never an audience id, which matches [a-z0-9-]+
NO_DEADLINE = "Kế hoạch không nêu ngày hoàn thành cho đối tượng này."
NO_DEADLINES = "Kế hoạch không nêu mốc thời hạn nào."


def audience_list(names) -> str:
    """Audience names joined by semicolons: a name such as "Cán bộ, đảng viên" holds commas of its own, so a comma
    list would read as three groups."""
    return "; ".join(names)


@dataclass(frozen=True)
class Entry:
    """One deadline as the timeline shows it, seen from `today`."""

    deadline: Deadline
    audience_names: tuple[str, ...]
    days: int  # due − today: negative when past, 0 on the day

    @property
    def status(self) -> str:
        """'past', 'due' (the deadline is today) or 'future'."""
        return "past" if self.days < 0 else "due" if self.days == 0 else "future"

    @property
    def status_text(self) -> str:
        if self.days < 0:
            return f"Đã qua hạn {number_text(-self.days)} ngày"
        if self.days == 0:
            return "Hạn cuối là hôm nay"
        return f"Còn {number_text(self.days)} ngày"


class TimelineState(traitlets.HasTraits):
    """Deadlines sorted by due date for one audience (or all), and where today falls among them."""

    audience = traitlets.Unicode(None, allow_none=True, help="audience id to filter by; None shows every deadline")
    today = traitlets.Instance(dt.date, help="the day the timeline is seen from")

    def __init__(self, topic: Topic, today: dt.date | None = None, audience: str | None = None, **kwargs):
        self.topic = topic
        super().__init__(today=today or dt.date.today(), audience=audience, **kwargs)

    @traitlets.validate("audience")
    def _validate_audience(self, proposal):
        value = proposal["value"] or None
        known = [a.id for a in self.topic.facts.audiences]
        if value is not None and value not in known:
            raise traitlets.TraitError(f"không có đối tượng '{value}'; các đối tượng: {', '.join(known)}")
        return value

    @traitlets.validate("today")
    def _validate_today(self, proposal):
        value = proposal["value"]
        return value.date() if isinstance(value, dt.datetime) else value

    @property
    def audiences(self) -> list[tuple[str, str]]:
        """(id, name) of every audience, in the spec's order, for the filter."""
        return [(a.id, a.name) for a in self.topic.facts.audiences]

    @property
    def entries(self) -> list[Entry]:
        chosen = [d for d in self.topic.facts.deadlines if self.audience is None or self.audience in d.audiences]
        chosen.sort(key=lambda d: (d.due, d.id))
        return [
            Entry(d, tuple(self.topic.audience_name(a) for a in d.audiences), (d.due - self.today).days) for d in chosen
        ]

    @property
    def undated(self) -> list:
        """What the plan asks of the chosen audience without a date (its commitments); empty for "all"."""
        if self.audience is None:
            return []
        return [c for c in self.topic.facts.commitments if self.audience in c.audiences]

    @property
    def today_index(self) -> int:
        """How many shown deadlines are already past: 0 is before all, len(entries) after all."""
        return sum(1 for e in self.entries if e.days < 0)


def render_timeline(state: TimelineState) -> str:
    """The timeline as an ordered list; the today marker is an <li> at `today_index`."""
    entries = state.entries
    marker = (
        f'<li class="{TODAY_CLASS}" data-index="{state.today_index}">'
        f'<strong>Hôm nay</strong> · <time datetime="{state.today.isoformat()}">{date_text(state.today)}</time></li>'
    )
    items = [_entry_html(e) for e in entries]
    items.insert(state.today_index, marker)
    none = NO_DEADLINE if state.audience else NO_DEADLINES
    empty = "" if entries else f'<p class="hoctap-hint">{esc(none)}</p>{_undated_html(state)}'
    return f'{empty}<ol class="hoctap-tl">{"".join(items)}</ol>'


def _undated_html(state: TimelineState) -> str:
    return "".join(
        f'<div class="hoctap-tl-undated" data-commitment="{esc(c.id)}">'
        f'<div class="hoctap-tl-what">{esc(c.what)}</div>'
        f'<div class="hoctap-tl-status">{esc(c.evaluation)}</div>'
        f"{source_html(c.cite, c.evidence, c.evaluation)}</div>"
        for c in state.undated
    )


def _entry_html(entry: Entry) -> str:
    d = entry.deadline
    return (
        f'<li class="hoctap-tl-item hoctap-tl-{entry.status}" data-deadline="{esc(d.id)}">'
        f'<div class="hoctap-tl-date"><time datetime="{d.due.isoformat()}">{date_text(d.due)}</time>'
        f" · {esc(d.due_label)}</div>"
        f'<div class="hoctap-tl-what">{esc(d.what)}</div>'
        f'<div class="hoctap-tl-who">Đối tượng: {esc(audience_list(entry.audience_names))}</div>'
        f'<div class="hoctap-tl-status">{esc(entry.status_text)}</div>'
        f'<div class="hoctap-cite">{esc(source_text(d.cite, d.evidence, d.due_label))}</div></li>'
    )


class TimelineView(ipywidgets.VBox):
    """A Dropdown "Đối tượng" and the timeline HTML, redrawn when the audience or today changes."""

    def __init__(self, state: TimelineState, **kwargs):
        super().__init__(**kwargs)
        self.state = state
        options = [("Tất cả", ALL), *[(name, aid) for aid, name in state.audiences]]
        self.audience = ipywidgets.Dropdown(
            options=options,
            value=state.audience or ALL,
            description="Đối tượng",
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="auto", max_width="100%"),
        )
        self.audience.add_class("hoctap-audience")
        self.body = ipywidgets.HTML(layout=ipywidgets.Layout(width="100%"))
        self.body.add_class("hoctap-timeline-body")
        dress(self, CLASS, [self.audience, self.body])
        self.audience.observe(self._on_dropdown_change, names="value")
        state.observe(self._render, names=["audience", "today"])
        self._render()

    def _on_dropdown_change(self, change) -> None:
        self.state.audience = change["new"] or None

    def _render(self, _change=None) -> None:
        if (self.state.audience or ALL) != self.audience.value:
            self.audience.value = self.state.audience or ALL
        self.body.value = render_timeline(self.state)


def check_today(today: dt.date | str | None) -> dt.date | None:
    """Accept a date or an ISO string ('2021-09-30') from a notebook cell."""
    if today is None or isinstance(today, dt.date):
        return today.date() if isinstance(today, dt.datetime) else today
    try:
        return dt.date.fromisoformat(today)
    except ValueError:
        raise HoctapError(f"ngày '{today}' không hợp lệ; viết theo dạng YYYY-MM-DD, ví dụ 2021-09-30") from None
