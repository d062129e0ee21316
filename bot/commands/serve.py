"""`medbot serve`: the Gradio web chat (127.0.0.1 by default)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from bot.cli_common import add_model_flags, add_role_flag

    p = sub.add_parser("serve", help="start the web chat")
    p.add_argument("--host", help="address to bind (default 127.0.0.1; others need --auth-file)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--auth-file", dest="auth_file", help="file of 'user:pbkdf2-hash' lines (required off loopback)")
    p.add_argument("--chroma-url", dest="chroma_url", help="use a Chroma server (http://HOST:PORT)")
    add_role_flag(p)
    add_model_flags(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import os

    from bot.cli_common import settings_from_args
    from bot.errors import UserError

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = settings_from_args(args, host=args.host, port=args.port)
    auth_file = args.auth_file or settings.safety.auth_file
    loopback = settings.host in ("127.0.0.1", "localhost", "::1")
    auth = None
    if auth_file:
        from bot.safety.auth import load_auth

        auth = load_auth(auth_file)
    elif not loopback:
        raise UserError(f"binding {settings.host} exposes the chat to the network: pass --auth-file")
    from bot.ui import serve

    print(f"medbot web chat on http://{settings.host}:{settings.port} (Ctrl+C stops)", flush=True)
    serve(settings, settings.host, settings.port, auth=auth)
    return 0
