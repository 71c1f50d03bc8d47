"""A client of one Voila kernel over its websocket, speaking what the browser speaks: the Jupyter messaging protocol
and ipywidgets 8's comm protocol, with no browser.

    channel = WidgetChannel(base_url, kernel_id)     # /api/kernels/<id>/channels, JSON frames, a session of its own
    channel.request_states()                         # every live widget's state, tracked from then on
    channel.find("hoctap-login-id")                  # model ids of the widgets with that CSS class
    channel.update(model_id, {"value": "hv-001"})    # as a browser sets a trait
    channel.click(model_id)                          # as a browser presses a button
    channel.wait_for(lambda: channel.find("hoctap-offers"), timeout=10)
    channel.close()

Widgets are tracked as the kernel opens (`comm_open` on `jupyter.widget`), updates (`comm_msg` "update" and
"echo_update") and closes them (`comm_close`); `request_states` on the `jupyter.widget.control` comm gives the
state of every widget alive before this client connected. Voila 0.5.13 refuses a client's `execute_request` but
lets comm messages through: that is all a widget app needs. Frames with binary buffers (ipywidgets' byte traits)
come in the websocket's legacy binary framing, decoded here; their buffers are dropped (no hoctap widget has any).

No gevent, no Locust here: this module works in any process (the load test's learners, an integration test that
probes what a kernel still holds). websocket-client is a dependency of jupyter_server.
"""

from __future__ import annotations

import json
import re
import struct
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import websocket  # websocket-client

WIDGET_TARGET = "jupyter.widget"
WIDGET_CONTROL = "jupyter.widget.control"
CONTROL_VERSION = "1.0.0"  # ipywidgets 8's widget control protocol (the kernel checks the major version)
PROTOCOL_VERSION = "5.3"
KERNEL_ID = re.compile(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"')
MODEL_REF = "IPY_MODEL_"


class ChannelError(Exception):
    """The kernel's websocket closed, or did not answer in time."""


def kernel_id_in(page: str) -> str | None:
    """The kernel id a Voila page gives its frontend (`kernelId` in its page config), or None."""
    found = KERNEL_ID.search(page)
    return found[1] if found else None


def decode_frame(frame: bytes | str) -> dict:
    """A websocket frame as a message: JSON text, or the legacy binary framing (a count of offsets, the offsets,
    the JSON message, then its buffers, which are dropped)."""
    if isinstance(frame, str):
        return json.loads(frame)
    (count,) = struct.unpack_from("!I", frame, 0)
    offsets = struct.unpack_from(f"!{count}I", frame, 4)
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end].decode("utf-8"))


class WidgetChannel:
    """One websocket on a kernel (`/api/kernels/<id>/channels`), with its own session and the widgets it sees."""

    def __init__(self, base_url: str, kernel_id: str, timeout: float = 30.0, cookie: str | None = None):
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        prefix = parts.path.rstrip("/")
        self.session = uuid.uuid4().hex
        self.url = f"{scheme}://{parts.netloc}{prefix}/api/kernels/{kernel_id}/channels?session_id={self.session}"
        self.kernel_id = kernel_id
        self.timeout = timeout
        self.widgets: dict[str, dict[str, Any]] = {}  # model id → {"model_name": …, "state": {…}}
        self.idle: set[str] = set()  # our requests the kernel has finished handling (status idle on iopub)
        self.closed = False
        self._control: str | None = None
        self._states: list[dict] | None = None
        # `cookie`: behind JupyterHub the socket is opened with the service's login cookie, as the browser's is
        self.socket = websocket.create_connection(self.url, timeout=timeout, cookie=cookie)

    # ---------------------------------------------------------------- sending

    def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "",
            "date": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "version": PROTOCOL_VERSION,
        }
        message = {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content}
        try:
            self.socket.send(json.dumps({**message, "channel": "shell", "buffers": []}))
        except (websocket.WebSocketException, OSError) as error:
            self.closed = True
            raise ChannelError(f"websocket closed: {error}") from None
        return msg_id

    def comm_msg(self, comm_id: str, data: dict) -> str:
        return self.send("comm_msg", {"comm_id": comm_id, "data": data})

    def update(self, model_id: str, state: dict) -> str:
        """Set traits of a widget as its view in a browser does; the state tracked here follows at once."""
        self.widgets.get(model_id, {}).setdefault("state", {}).update(state)
        return self.comm_msg(model_id, {"method": "update", "state": state, "buffer_paths": []})

    def click(self, model_id: str) -> str:
        """Press a Button (ipywidgets' ButtonView sends this custom message)."""
        return self.comm_msg(model_id, {"method": "custom", "content": {"event": "click"}})

    # ---------------------------------------------------------------- receiving

    def receive(self, timeout: float | None = None) -> dict | None:
        """One message from the kernel, applied to the widgets tracked; None when nothing came within `timeout`."""
        self.socket.settimeout(self.timeout if timeout is None else max(timeout, 0.001))
        try:
            frame = self.socket.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketException, OSError) as error:
            self.closed = True
            raise ChannelError(f"websocket closed: {error}") from None
        if not frame:
            self.closed = True
            raise ChannelError("websocket closed by the server")
        message = decode_frame(frame)
        self._apply(message)
        return message

    def wait_for(self, condition: Callable[[], Any], timeout: float | None = None) -> Any:
        """Receive until `condition()` is truthy and return its value; raise ChannelError after `timeout` s."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while not (found := condition()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelError(f"timed out after {limit:.0f} s")
            self.receive(left)
        return found

    def wait_idle(self, msg_id: str, timeout: float | None = None) -> None:
        """Until the kernel has handled our request `msg_id` (its handlers ran, their messages were sent)."""
        self.wait_for(lambda: msg_id in self.idle, timeout)

    def request_states(self, timeout: float | None = None) -> dict[str, dict]:
        """Every live widget's state, as the kernel sends it ({model id: {"model_name", "state", …}}); the widgets
        tracked are replaced by them."""
        if self._control is None:
            self._control = uuid.uuid4().hex
            opened = {"comm_id": self._control, "target_name": WIDGET_CONTROL, "data": {}}
            self.send("comm_open", opened, {"version": CONTROL_VERSION})
        self._states = None
        self.comm_msg(self._control, {"method": "request_states"})
        return self.wait_for(lambda: self._states, timeout)[0]

    def _apply(self, message: dict) -> None:
        kind = message.get("header", {}).get("msg_type")
        content = message.get("content") or {}
        if kind == "status":
            if content.get("execution_state") == "idle":
                self.idle.add(message.get("parent_header", {}).get("msg_id", ""))
        elif kind == "comm_open" and content.get("target_name") == WIDGET_TARGET:
            data = content.get("data") or {}
            state = dict(data.get("state") or {})
            self.widgets[content["comm_id"]] = {"model_name": state.get("_model_name", ""), "state": state}
        elif kind == "comm_msg":
            data = content.get("data") or {}
            method = data.get("method")
            if content.get("comm_id") == self._control and method == "update_states":
                states = data.get("states") or {}
                self.widgets = {
                    model_id: {"model_name": model.get("model_name", ""), "state": dict(model.get("state") or {})}
                    for model_id, model in states.items()
                }
                self._states = [states]  # a list: an answer with no widget is still an answer
            elif method in ("update", "echo_update") and content.get("comm_id") in self.widgets:
                self.widgets[content["comm_id"]]["state"].update(data.get("state") or {})
        elif kind == "comm_close":
            self.widgets.pop(content.get("comm_id"), None)

    # ---------------------------------------------------------------- the widgets seen

    def state(self, model_id: str) -> dict:
        return self.widgets.get(model_id, {}).get("state", {})

    def model_name(self, model_id: str) -> str:
        return self.widgets.get(model_id, {}).get("model_name", "")

    def find(self, css_class: str, within: str | None = None) -> list[str]:
        """Model ids of the live widgets with `css_class` in their `_dom_classes` (under `within`, if given), in the
        order of the widget tree when `within` is given."""
        pool = self.descendants(within) if within is not None else list(self.widgets)
        return [m for m in pool if css_class in (self.state(m).get("_dom_classes") or ())]

    def children(self, model_id: str) -> list[str]:
        refs = self.state(model_id).get("children") or []
        return [ref[len(MODEL_REF) :] for ref in refs if isinstance(ref, str) and ref.startswith(MODEL_REF)]

    def descendants(self, model_id: str) -> list[str]:
        """The widgets under `model_id` (itself excluded), depth first in display order."""
        found: list[str] = []
        stack = list(reversed(self.children(model_id)))
        while stack:
            current = stack.pop()
            if current in self.widgets and current not in found:
                found.append(current)
                stack.extend(reversed(self.children(current)))
        return found

    def close(self) -> None:
        self.closed = True
        try:
            self.socket.close()
        except (websocket.WebSocketException, OSError):
            pass
