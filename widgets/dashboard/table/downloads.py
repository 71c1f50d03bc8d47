"""Downloads in Voila: "Tải CSV" / "Tải XLSX" build the file (`hoctap.progress.export.table_bytes`, Vietnamese
headers), put an `<a download=… href="data:…;base64,…">` link under the buttons, and a script (`save_script`) clicks
it, so the browser saves the file at the first click; the link stays to save it again. The link is rebuilt on each
click and cleared when the rows change, so it never holds stale rows.
A file that cannot be built ends the wait with one Vietnamese sentence in the link's place; the traceback goes to the
server log only.
"""

from __future__ import annotations

import base64

import pandas as pd

from hoctap.progress import labelled, table_bytes

from ...style import esc
from ..messages import log as _app_log

MIME = {"csv": "text/csv;charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BUILDING = "<span>Đang tạo tệp…</span>"
DOWNLOAD_FAILED = "Không tạo được tệp {filename}; hãy bấm “{button}” lần nữa, nếu vẫn lỗi hãy xem nhật ký máy chủ."
# The dashboard's logger writes to the server log (a kernel's sys.stderr would show a traceback in the page).
log = _app_log.getChild("download")


def table_file(rows: pd.DataFrame, table: str | None, fmt: str, sheet: str) -> bytes:
    """`rows` with Vietnamese headers (`table`'s own where it has some) as `fmt` bytes."""
    return table_bytes(labelled(rows, table), fmt, sheet=sheet)


def download_link(data: bytes, filename: str, fmt: str, mark: str = "") -> str:
    """An `<a download>` link holding the file as a data URL (Voila has no file handler for the kernel's bytes);
    `mark` names it for `save_script`."""
    encoded = base64.b64encode(data).decode("ascii")
    size = f"{max(1, round(len(data) / 1024))} KB"
    return (
        f'<a class="hoctap-download-file" data-hoctap-save="{esc(mark)}" download="{esc(filename)}" '
        f'href="data:{MIME[fmt]};base64,{encoded}">Đã tải {esc(filename)} ({esc(size)}) — bấm để lưu lại</a>'
    )


def save_script(mark: str) -> str:
    """Javascript that clicks the link marked `mark` once it is on the page (the HTML widget may be drawn a moment
    after the script runs): the file is saved on the first click on "Tải …". `mark` is a counter, never text from
    a learner."""
    if not mark.isdigit():
        raise ValueError(mark)
    return (
        "(function (n) { const find = () => document.querySelector('a[data-hoctap-save=\"" + mark + "\"]');"
        " const go = () => { const a = find(); if (a) { if (!a.dataset.saved) { a.dataset.saved = '1'; a.click(); } }"
        " else if (n-- > 0) { setTimeout(go, 50); } }; go(); })(100);"
    )


def failure_html(text: str) -> str:
    return f'<span class="hoctap-download-error" role="alert">{esc(text)}</span>'
