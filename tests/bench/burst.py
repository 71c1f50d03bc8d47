"""A burst of learners opening the quiz at the same second, against the same burst on a bare one-widget notebook.

Each simulated learner (a thread, no browser: 40 Chromium tabs would measure Chromium on 2 cores) does what a
phone does up to the login screen: GET the page (following the queue page's and the busy page's meta refresh, as a
browser would), open the kernel's websocket, and ask `request_states` on `jupyter.widget.control` until the kernel
holds the login field (a widget whose `_dom_classes` has `hoctap-login-id`; for the bare notebook, its slider).
The time is from the first request to that answer. Each burst runs on a fresh learner Voila (same settings), once
its pre-heated pool is full, so the second burst does not share the machine with the first one's kernels.

Also: RSS (from /proc) of the learner kernels with the quiz open against the bare notebook's kernels, and the bytes
Chromium transfers for one quiz page (static assets included), compressed or not as the server answers.

Run: `python -m tests.bench.burst [--learners 40] [--pool N] [--max-starts N]` (or `make bench` through
`tests/bench/__main__.py --only burst`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from hoctap.serve import servers as serving
from hoctap.serve import supervise
from tests.servers import pick_free_port, slider_lesson

QUIZ = "voila/render/quiz.ipynb"
BARE = "voila/render/bare/2021/01-tong-quan.ipynb"
CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)
REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+)(?:;\s*url=([^"]*))?"', re.I)
PLACE = re.compile(r'data-place="(\d+)"')
WIDGET_CONTROL = "jupyter.widget.control"
LEARNER_TIMEOUT = 600.0  # a learner still without a login screen after this is an error


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=LEARNER_TIMEOUT) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


class _Channel:
    """The kernel's websocket, as the page opens it (JSON frames), with `request_states` on the widget control."""

    def __init__(self, port: int, kernel_id: str):
        import websocket  # websocket-client, a dependency of jupyter_server

        url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels"
        self.socket = websocket.create_connection(url, timeout=LEARNER_TIMEOUT)
        self.session = uuid.uuid4().hex

    def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session, "username": "",
                  "version": "5.3"}  # fmt: skip
        message = {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content}
        self.socket.send(json.dumps({**message, "channel": "shell", "buffers": []}))

    def request_states(self) -> dict[str, dict]:
        from jupyter_server.services.kernels.connection.base import deserialize_binary_message

        comm_id = uuid.uuid4().hex
        self._send("comm_open", {"comm_id": comm_id, "target_name": WIDGET_CONTROL, "data": {}}, {"version": "1.0.0"})
        self._send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
        while True:
            frame = self.socket.recv()
            msg = deserialize_binary_message(frame) if isinstance(frame, bytes) else json.loads(frame)
            content = msg.get("content", {})
            if msg["header"]["msg_type"] == "comm_msg" and content.get("comm_id") == comm_id:
                return content["data"].get("states", {})

    def close(self) -> None:
        self.socket.close()


def login_shown(states: dict[str, dict]) -> bool:
    return any("hoctap-login-id" in m["state"].get("_dom_classes", ()) for m in states.values())


def slider_shown(states: dict[str, dict]) -> bool:
    return any(m["model_name"] == "IntSliderModel" for m in states.values())


def learner(url: str, ready, start: threading.Barrier, out: dict) -> None:
    """One learner: page (through queue and busy pages), websocket, widget states until `ready(states)`."""
    start.wait()
    began = time.perf_counter()
    out.update(places=[], busy=0, error=None)
    channel = None
    try:
        while True:
            status, page = _get(url)
            config = CONFIG.search(page)
            if status == 200 and config:
                break
            refresh = REFRESH.search(page)
            if refresh is None or time.perf_counter() - began > LEARNER_TIMEOUT:
                raise RuntimeError(f"HTTP {status} without the app or a refresh")
            if place := PLACE.search(page):
                out["places"].append(int(place[1]))
            elif status == 503:
                out["busy"] += 1
            url = urljoin(url, refresh[2]) if refresh[2] else url
            time.sleep(int(refresh[1]))
        out["page_s"] = time.perf_counter() - began
        out["kernel_id"] = json.loads(config[1])["kernelId"]
        channel = _Channel(urlsplit(url).port, out["kernel_id"])
        while not ready(channel.request_states()):
            if time.perf_counter() - began > LEARNER_TIMEOUT:
                raise RuntimeError("the widgets never came")
            time.sleep(0.1)
        out["ready_s"] = time.perf_counter() - began
    except Exception as error:  # noqa: BLE001 - every failure is a figure of the burst
        out["error"] = f"{type(error).__name__}: {error}"
    finally:
        out["channel"] = channel  # kept open (an open tab) until the burst's memory is read


def kernel_pids(server: serving.Server) -> dict[str, int]:
    """{kernel id: PID} of the server's kernels, from their command lines (`-f …/kernel-<id>.json`)."""
    found = {}
    for pid in supervise.descendants(server.process.pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ")
        except OSError:
            continue
        if "ipykernel_launcher" in argv and (match := re.search(r"kernel-([0-9a-f-]{36})\.json", argv)):
            found[match[1]] = pid
    return found


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_idle(server: serving.Server, timeout: float = 120) -> None:
    """Until the server and its kernels use less than 5% of a core over a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [server.process.pid, *supervise.descendants(server.process.pid)]
        before = sum(cpu_s(pid) for pid in pids)
        time.sleep(1)
        if sum(cpu_s(pid) for pid in pids) - before < 0.05:
            return


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_burst(site: Path, path: str, ready, learners: int, server_args: list[str], log: Path) -> dict:
    """A fresh learner Voila on `site`, its pool full, then `learners` threads opening `path` together."""
    port = pick_free_port()
    with open(log, "wb") as output:
        server = serving.start_learner(site, "127.0.0.1", port, output=output, args=server_args)
    results = [{} for _ in range(learners)]
    try:
        serving.wait_ready(server)
        deadline = time.monotonic() + 120
        while b"Kernel pool of quiz.ipynb is filled" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.5)
        _wait_idle(server)  # the pool's kernels have run the quiz notebook, not just started
        server_cpu = cpu_s(server.process.pid)
        pooled = set(kernel_pids(server))
        start = threading.Barrier(learners)
        url = server.local_url + path
        threads = [threading.Thread(target=learner, args=(url, ready, start, out)) for out in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        server_cpu = cpu_s(server.process.pid) - server_cpu
        pids = kernel_pids(server)
        kernels_cpu = sum(cpu_s(pid) for kernel, pid in pids.items() if kernel not in pooled)
        memory = [mb for out in results if (pid := pids.get(out.get("kernel_id", ""))) and (mb := rss_mb(pid))]
    finally:
        for out in results:
            if out.get("channel") is not None:
                out["channel"].close()
        serving.stop(server)
    ready_s = [out["ready_s"] for out in results if "ready_s" in out]
    errors = [out["error"] for out in results if out.get("error")]
    places = [max(out["places"]) for out in results if out.get("places")]
    return {
        "learners": learners,
        "ok": len(ready_s),
        "errors": len(errors),
        "first_errors": errors[:3],
        "p50_s": statistics.median(ready_s) if ready_s else None,
        "p95_s": _percentile(ready_s, 0.95) if ready_s else None,
        "max_s": max(ready_s) if ready_s else None,
        "page_p50_s": statistics.median([out["page_s"] for out in results if "page_s" in out] or [0]),
        "queued": len(places),
        "longest_queue": max(places, default=0),
        "busy_pages": sum(out.get("busy", 0) for out in results),
        "kernel_rss_mb": statistics.median(memory) if memory else None,
        "ready_s": sorted(round(t, 2) for t in ready_s),
        "server_cpu_s": server_cpu,
        "new_kernels_cpu_s": kernels_cpu,
    }


def page_bytes(site: Path, server_args: list[str], log: Path) -> dict:
    """Bytes Chromium receives for one quiz page with an empty cache (bodies as sent, headers excluded), and again
    on a second visit with the cache warm."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    port = pick_free_port()
    with open(log, "wb") as output:
        server = serving.start_learner(site, "127.0.0.1", port, output=output, args=server_args)
    out = {}
    try:
        serving.wait_ready(server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context()
            for visit in ("first_visit", "second_visit"):
                page = context.new_page()
                responses = []
                page.on("requestfinished", lambda request, got=responses: got.append(request))
                page.goto(server.local_url + QUIZ)
                page.locator(".hoctap-login-id input").wait_for(timeout=120_000)
                page.wait_for_load_state("networkidle")
                sizes = [max(0, request.sizes()["responseBodySize"]) for request in responses]
                gzipped = sum(1 for r in responses if (r.response().headers.get("content-encoding") == "gzip"))
                out[visit] = {"requests": len(responses), "bytes": sum(sizes), "gzipped": gzipped}
                page.close()
            browser.close()
    finally:
        serving.stop(server)
    return out


def bench_burst(learners: int = 40, server_args: tuple[str, ...] = (), with_bytes: bool = True) -> dict:
    from tests.quiz_kit import build_kit

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        old_home = os.environ.get("HOCTAP_HOME")
        os.environ["HOCTAP_HOME"] = str(home)  # inherited by Voila and its kernels
        try:
            build_kit(home)
            site = home / "notebooks" / "learner"
            slider_lesson(site / "bare")
            args = list(server_args)
            results = {
                "server_args": args,
                "cores": os.cpu_count(),
                "bare": run_burst(site, BARE, slider_shown, learners, args, home / "bare.log"),
                "quiz": run_burst(site, QUIZ, login_shown, learners, args, home / "quiz.log"),
            }
            if with_bytes:
                results["bytes"] = page_bytes(site, args, home / "bytes.log")
        finally:
            if old_home is None:
                os.environ.pop("HOCTAP_HOME", None)
            else:
                os.environ["HOCTAP_HOME"] = old_home
    quiz, bare = results["quiz"], results["bare"]
    if quiz["p50_s"] and bare["p50_s"]:
        results["p50_ratio"] = quiz["p50_s"] / bare["p50_s"]
    return results


def report_lines(r: dict) -> list[str]:
    def row(name: str, b: dict) -> str:
        if not b["ok"]:
            return f"  {name}: no learner got the screen; errors {b['errors']}: {b['first_errors']}"
        return (
            f"  {name}: p50 {b['p50_s']:.1f} s, p95 {b['p95_s']:.1f} s, max {b['max_s']:.1f} s "
            f"(page p50 {b['page_p50_s']:.1f} s); {b['ok']}/{b['learners']} ok, errors {b['errors']}"
            f"{' ' + str(b['first_errors']) if b['errors'] else ''}; queued {b['queued']} (longest place "
            f"{b['longest_queue']}), busy pages {b['busy_pages']}; kernel RSS median "
            f"{b['kernel_rss_mb'] or 0:.0f} MB; CPU: Voila {b['server_cpu_s']:.1f} s, kernels started in the burst "
            f"{b['new_kernels_cpu_s']:.1f} s"
        )

    lines = [
        f"Burst: {r['quiz']['learners']} learners open the page at the same second ({r['cores']} cores; "
        f"server args {r['server_args'] or 'default'})",
        row("quiz login screen", r["quiz"]),
        row("bare one-widget notebook", r["bare"]),
    ]
    if "p50_ratio" in r:
        lines.append(f"  ratio quiz / bare p50 {r['p50_ratio']:.2f}x; learner kernel RSS target 60 MB")
    if "bytes" in r:
        first, second = r["bytes"]["first_visit"], r["bytes"]["second_visit"]
        lines.append(
            f"  one quiz page in Chromium: {first['bytes'] / 1024:.0f} KiB in {first['requests']} responses "
            f"({first['gzipped']} gzip) with an empty cache, {second['bytes'] / 1024:.0f} KiB in "
            f"{second['requests']} on a second visit"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.burst")
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--no-bytes", action="store_true", help="skip the Chromium page-weight measure")
    parser.add_argument("server_args", nargs="*", help="more learner Voila settings (after --)")
    args = parser.parse_args()
    results = bench_burst(args.learners, tuple(args.server_args), with_bytes=not args.no_bytes)
    print("\n".join(report_lines(results)))
    print(json.dumps({k: v for k, v in results.items()}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
