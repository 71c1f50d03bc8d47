"""The list of the learner's assessments: one card each (`OfferCard`, from an `OfferRow`), "Tải lại", "Đăng xuất"."""

from __future__ import annotations

import ipywidgets

from ..style import esc
from .app_state import AppState
from .parts import act, button
from .rows import OfferRow


class OfferCard(ipywidgets.VBox):
    """One assessment: title, kind, the window's sentence, the score or evaluation, and what can be done."""

    def __init__(self, row: OfferRow, state: AppState, **kwargs):
        super().__init__(**kwargs)
        offer = row.offer
        result_class = "hoctap-evaluation" if offer.kind == "commitment" else "hoctap-offer-score"
        parts = [
            f'<h4 class="hoctap-offer-title">{esc(offer.title)}</h4>',
            f'<p class="hoctap-kind">{esc(row.kind_label)}</p>',
            f'<p class="hoctap-window">{esc(row.note)}</p>',
        ]
        if row.result_line:
            parts.append(f'<p class="{result_class}">{esc(row.result_line)}</p>')
        if offer.kind == "commitment" and row.evaluation is not None and not row.evaluation.pending:
            parts += [f'<p class="hoctap-comment">Nhận xét: {esc(c)}</p>' for c in row.evaluation.comments]
        self.text = ipywidgets.HTML("".join(parts), layout=ipywidgets.Layout(width="100%"))
        buttons = []
        self.start = self.view = None
        if row.action:
            extra = ["hoctap-resume"] if row.action == "resume" else []
            self.start = button(row.start_label, "hoctap-start", *extra)
            self.start.on_click(lambda _: act(self.start, lambda: state.open(offer.id)))
            buttons.append(self.start)
        if row.can_view_result:
            self.view = button("Xem kết quả", "hoctap-view-result")
            self.view.on_click(lambda _: act(self.view, lambda: state.view_result(offer.id)))
            buttons.append(self.view)
        self.children = [self.text, ipywidgets.HBox(buttons)] if buttons else [self.text]
        for name in ("hoctap-offer", f"hoctap-offer-{offer.id}", f"hoctap-state-{offer.window.state}"):
            self.add_class(name)


class OffersView(ipywidgets.VBox):
    """The learner's assessments, one card each, with "Tải lại" and "Đăng xuất"."""

    def __init__(self, state: AppState, **kwargs):
        super().__init__(**kwargs)
        learner = state.learner
        who = f"<p>Học viên: <strong>{esc(learner.full_name)}</strong> ({esc(learner.unit)})</p>" if learner else ""
        self.heading = ipywidgets.HTML(f"<h3>Bài của anh/chị</h3>{who}")
        self.cards = [OfferCard(row, state) for row in state.rows]
        empty = [] if self.cards else [ipywidgets.HTML("<p>Hiện chưa có bài nào dành cho anh/chị.</p>")]
        self.refresh = button("Tải lại danh sách", "hoctap-refresh")
        self.refresh.on_click(lambda _: act(self.refresh, state.back))
        if state.hub_user is not None:  # behind the hub, logging out is the hub's: a link to its logout page
            self.logout = hub_logout_link(state)
        else:
            self.logout = button("Đăng xuất", "hoctap-logout")
            self.logout.on_click(lambda _: state.logout())
        self.children = [self.heading, *self.cards, *empty, ipywidgets.HBox([self.refresh, self.logout])]
        self.add_class("hoctap-offers")


def hub_logout_link(state: AppState) -> ipywidgets.HTML:
    return ipywidgets.HTML(
        f'<a class="hoctap-logout hoctap-hub-logout" href="{esc(state.hub_logout)}" target="_top">Đăng xuất</a>'
    )
