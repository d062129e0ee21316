"""Load and fault test of `medbot serve`: N concurrent chats on loopback, a `kill -9` mid-run, a restart.

Starts the web chat in a child process (a scripted model by default, so the figures measure
medbot rather than the LLM; `--real-model` uses the bundled SmolLM2), runs `--chats` concurrent
conversations of `--messages` turns each through the chat's JSON endpoint (`/gradio_api/call/turn`),
kills the server with SIGKILL once `--kill-at` of the turns are done, restarts it on the same
MEDBOT_HOME and port, and lets the clients retry with the same message ids (`client_id`): the store
makes retries idempotent. At the end every conversation is read back from the store and checked:
each user message exactly once, in order, each followed by exactly one answer.

Prints p50/p95 turn latency (all turns, and turns not caught by the restart), the outage, and
the lost/duplicated counts; exits 1 if anything was lost or duplicated. Bounded by `--timeout`.

    python bench/load.py --chats 8 --messages 6
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_child(port: int, real_model: bool, delay: float) -> None:
    """Run in the child: the web chat with a scripted (or the bundled) model and no retrieval."""
    sys.path.insert(0, str(ROOT))
    from bot.agent import Agent
    from bot.config import load_settings
    from bot.llm.scripted import ScriptedBackend
    from bot.safety.phi import get_redactor
    from bot.tools import ToolRegistry
    from bot.ui import CSS, build_app

    class SlowScripted(ScriptedBackend):
        """Answers 'OK.' after `delay` seconds, like a fast model."""

        def stream(self, messages, tools=None, **gen):
            time.sleep(delay)
            yield from super().stream(messages, tools, **gen)

    settings = load_settings({"safety": {"rate_limit_per_minute": 0, "triage_classifier": "rules"}})
    backend = None if real_model else SlowScripted(supports_tools=False, name="scripted")
    agent = Agent(settings, backend=backend, retriever=False, tools=ToolRegistry(settings, names=[]))
    get_redactor()  # load presidio before the first request (the audit trail redacts every turn)
    # the same app and queue settings as `medbot serve` (bot.ui.serve)
    build_app(settings, agent).queue(default_concurrency_limit=4).launch(
        server_name="127.0.0.1", server_port=port, ssr_mode=False, inbrowser=False, css=CSS)


class Server:
    def __init__(self, port: int, home: Path, real_model: bool, delay: float, log: Path):
        self.port, self.home, self.real_model, self.delay, self.log = port, home, real_model, delay, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float) -> float:
        env = {**os.environ, "MEDBOT_HOME": str(self.home), "GRADIO_ANALYTICS_ENABLED": "False",
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-child", str(self.port), "--delay", str(self.delay)]
            + (["--real-model"] if self.real_model else []),
            env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        import httpx

        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/config", timeout=2).status_code == 200:
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.kill()
        raise SystemExit(f"server not ready after {timeout:.0f} s; see {self.log}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def call_turn(base: str, message: str, conv: str, client_id: str, timeout: float) -> dict:
    """One turn through Gradio's REST protocol (POST the call, read its event stream)."""
    import httpx

    r = httpx.post(f"{base}/gradio_api/call/turn", json={"data": [message, conv, client_id]}, timeout=timeout)
    r.raise_for_status()
    event_id = r.json()["event_id"]
    with httpx.stream("GET", f"{base}/gradio_api/call/turn/{event_id}", timeout=timeout) as resp:
        event = None
        for line in resp.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = line.split(":", 1)[1].strip()
                if event == "error":
                    raise RuntimeError(f"server error: {data}")
                return json.loads(data)[0]
    raise ConnectionError("event stream ended without a result")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chats", type=int, default=8, help="concurrent conversations (default 8, at most 64)")
    ap.add_argument("--messages", type=int, default=6, help="turns per conversation (default 6, at most 50)")
    ap.add_argument("--kill-at", type=float, default=0.5, help="fraction of turns done when the server is killed")
    ap.add_argument("--delay", type=float, default=0.05, help="scripted model's seconds per answer")
    ap.add_argument("--real-model", action="store_true", help="use the bundled SmolLM2 instead of a scripted model")
    ap.add_argument("--timeout", type=float, default=300, help="give up after this many seconds in all")
    ap.add_argument("--serve-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve_child:
        serve_child(args.serve_child, args.real_model, args.delay)
        return 0
    chats, per = max(1, min(args.chats, 64)), max(1, min(args.messages, 50))
    total = chats * per
    deadline = time.monotonic() + args.timeout
    home = Path(tempfile.mkdtemp(prefix="medbot-load-"))
    port = free_port()
    server = Server(port, home / "home", args.real_model, args.delay, home / "server.log")
    base = f"http://127.0.0.1:{port}"
    print(f"medbot serve on {base} (MEDBOT_HOME {server.home}); {chats} chats x {per} turns; "
          f"{'SmolLM2' if args.real_model else f'scripted model ({args.delay:.2f} s/answer)'}", flush=True)
    startup = server.start(min(180, args.timeout))
    print(f"server ready in {startup:.1f} s", flush=True)

    done = 0
    lock = threading.Lock()
    killed = threading.Event()
    restarted = threading.Event()
    latencies: list[tuple[float, bool]] = []  # (seconds, caught by the restart)
    convs: dict[int, str] = {}
    failures: list[str] = []

    def chat(i: int) -> None:
        nonlocal done
        import httpx

        conv = ""
        for j in range(per):
            msg, cid = f"chat {i} turn {j}: what is a normal resting heart rate?", f"load-{i}-{j}-{uuid.uuid4().hex[:6]}"
            t0, hit = time.monotonic(), False
            while True:
                if time.monotonic() > deadline:
                    failures.append(f"chat {i} turn {j}: timed out")
                    return
                try:
                    res = call_turn(base, msg, conv, cid, timeout=60)
                    break
                except (httpx.HTTPError, ConnectionError, RuntimeError, json.JSONDecodeError, KeyError):
                    hit = True  # server down or restarting: retry the same client_id
                    time.sleep(0.25)
            conv = res["conversation_id"]
            convs[i] = conv
            with lock:
                latencies.append((time.monotonic() - t0, hit))
                done += 1

    threads = [threading.Thread(target=chat, args=(i,), daemon=True) for i in range(chats)]
    t_start = time.monotonic()
    for t in threads:
        t.start()
    outage = None
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
        if not killed.is_set() and done >= args.kill_at * total:
            t_kill = time.monotonic()
            server.kill()
            killed.set()
            print(f"kill -9 after {done}/{total} turns", flush=True)
            server.start(min(180, max(10, deadline - time.monotonic())))
            outage = time.monotonic() - t_kill
            restarted.set()
            print(f"restarted in {outage:.1f} s", flush=True)
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=max(0.1, deadline - time.monotonic()))
    wall = time.monotonic() - t_start
    server.kill()

    # read back what the store holds
    sys.path.insert(0, str(ROOT))
    os.environ["MEDBOT_HOME"] = str(server.home)
    from bot.store import Store

    store = Store(server.home)
    lost = dup = bad_replies = 0
    for i in range(chats):
        cid = convs.get(i)
        msgs = store.get(cid, "local").messages if cid else []
        users = [m.content for m in msgs if m.role == "user"]
        want = [f"chat {i} turn {j}: what is a normal resting heart rate?" for j in range(per)]
        lost += sum(1 for w in want if w not in users)
        dup += len(users) - len(set(users))
        roles = [m.role for m in msgs]
        bad_replies += sum(1 for k, r in enumerate(roles) if r == "user" and (k + 1 >= len(roles) or roles[k + 1] != "assistant"))
        bad_replies += sum(1 for k in range(1, len(roles)) if roles[k] == roles[k - 1] == "assistant")
    orphans = sum(1 for c in store.list("local", limit=10_000) if c["id"] not in convs.values() and c["messages"])
    lat = sorted(x for x, _ in latencies)
    clean = sorted(x for x, hit in latencies if not hit)

    def pct(xs, q):
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else float("nan")

    print(json.dumps({"chats": chats, "turns_per_chat": per, "turns_done": done, "wall_s": round(wall, 1),
                      "turns_per_s": round(done / wall, 2) if wall else None,
                      "p50_ms": round(pct(lat, 0.5), 1), "p95_ms": round(pct(lat, 0.95), 1),
                      "p50_ms_unaffected": round(pct(clean, 0.5), 1), "p95_ms_unaffected": round(pct(clean, 0.95), 1),
                      "mean_ms": round(statistics.mean(lat) * 1000, 1) if lat else None,
                      "restart_outage_s": round(outage, 1) if outage else None,
                      "retried_turns": sum(1 for _, hit in latencies if hit),
                      "lost": lost, "duplicated": dup, "turns_without_exactly_one_answer": bad_replies,
                      "orphan_conversations": orphans, "failures": failures[:5]}, indent=2))
    ok = not (lost or dup or bad_replies or orphans or failures) and done == total
    print("PASS: no lost or duplicated messages" if ok else "FAIL", flush=True)
    if ok:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
