"""`medbot index status|start|stop|rebuild`: the home's vector store and its dense fill."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag, print_json, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="the dense index: fill progress, start/stop the fill, rebuild the vector store",
                       description="One Chroma server per MEDBOT_HOME owns the vector store; one fill per home "
                       "embeds the collections' chunks (small collections first) and pauses while a question is answered.")
    isub = p.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    st = isub.add_parser("status", help="per source: passages searchable by meaning, fill rate and time left; the store server")
    add_json_flag(st)
    st.set_defaults(handler=_status)
    start = isub.add_parser("start", help="start the fill in the background (it stops when everything is embedded)")
    start.add_argument("--collections", help="comma-separated store collection names in fill order (default: all, smallest first)")
    start.set_defaults(handler=_start)
    stop = isub.add_parser("stop", help="stop the running fill (resumable) and, with --server, the store server")
    stop.add_argument("--server", action="store_true", help="also stop the home's Chroma server")
    stop.set_defaults(handler=_stop)
    rb = isub.add_parser("rebuild", help="drop every vector and re-embed all collections with the configured embedder "
                         "(documents, BM25 and conversations are kept)")
    rb.add_argument("--embedder", help="embedder to rebuild with (default: the configured one)")
    rb.add_argument("--no-start", action="store_true", help="do not start the fill afterwards")
    rb.set_defaults(handler=_rebuild)


def _settings(args):
    emb = getattr(args, "embedder", None)
    return settings_from_args(args, retrieval={"embedder": emb} if emb else None)


def _server_state(settings) -> dict:
    from pathlib import Path

    from retrieval.chroma_server import server_info

    folder = Path(settings.home) / "literature" / "chroma"
    info = server_info(folder)
    return {"store": settings.retrieval.chroma_url or ("server" if settings.retrieval.store == "server" else "embedded"),
            "folder": str(folder), "server_url": info["url"] if info else None}


def _status(args) -> int:
    from retrieval.dense_fill import home_status, status_line

    settings = _settings(args)
    st = home_status(settings.home)
    st.update(_server_state(settings))
    if args.json:
        print_json(st)
        return 0
    print(status_line(settings.home))
    rate = next((c["rate"] for c in st["collections"] if c["state"] == "filling"), None)
    for s in st["sources"]:
        print(f"  {s['label']:<22} {s['done']:>7,}/{s['total']:<7,} {s['state']}"
              + (f"  {rate:.1f} passages/s" if s["state"] == "filling" and rate else ""))
    print(f"store: {st['folder']} ({'server at ' + st['server_url'] if st['server_url'] else 'no server running'})")
    if st.get("error"):
        print(f"last fill error: {st['error']}")
    return 0


def _start(args) -> int:
    from retrieval.dense_fill import start_background_fill

    settings = _settings(args)
    names = [n for n in (args.collections or "").split(",") if n] or None
    pid = start_background_fill(settings, names)
    print(f"fill started (pid {pid})" if pid else "a fill is already running: `medbot index status`")
    return 0


def _stop(args) -> int:
    from pathlib import Path

    from retrieval.chroma_server import stop_server
    from retrieval.dense_fill import stop_fill

    settings = _settings(args)
    print("fill stopped (resumes with `medbot index start`)" if stop_fill(settings.home) else "no fill running")
    if args.server:
        print("store server stopped" if stop_server(Path(settings.home) / "literature" / "chroma")
              else "no store server running")
    return 0


def _rebuild(args) -> int:
    from retrieval.rebuild import rebuild_home

    settings = _settings(args)
    names = rebuild_home(settings, start=not args.no_start)
    sys.stderr.write(f"vector store dropped; re-embedding {', '.join(names) or 'nothing'} "
                     f"{'in the background: `medbot index status`' if not args.no_start else 'with `medbot index start`'}\n")
    return 0
