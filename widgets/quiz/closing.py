"""Closing a screen's widgets when the learner leaves it: any client of the kernel may ask for every live widget's
state (`request_states` on the widget channel, which Voila lets through), so what a screen showed or was typed into
must not outlive it."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets


def held(widget: ipywidgets.Widget) -> Iterator[ipywidgets.Widget]:
    """The widgets `widget` refers to in its synced traits: a box's children, its layout and style, …"""
    for name in widget.keys:
        value = getattr(widget, name, None)
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, ipywidgets.Widget):
                yield item


def widget_tree(*roots: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    """`roots` and every widget they hold, recursively (each once)."""
    found: dict[int, ipywidgets.Widget] = {}
    stack = list(roots)
    while stack:
        widget = stack.pop()
        if id(widget) not in found:
            found[id(widget)] = widget
            stack.extend(held(widget))
    return list(found.values())


def close_tree(*roots: ipywidgets.Widget) -> None:
    """Close `roots` and every widget they hold. A closed widget leaves the kernel's registry: the browser drops it
    and no `request_states` on the widget channel returns its state (a typed access code, a learner's name). A view
    that keeps widgets off screen (a confirmation panel not open) closes them in its own `close()`."""
    for widget in widget_tree(*roots):
        widget.close()
