"""`medbot serve`: the Gradio web chat (127.0.0.1 by default), which is also the warm medbot that
`medbot ask` and `medbot chat` hand their turns to (`--background` detaches it, `medbot stop` ends it)."""

from __future__ import annotations

import argparse

# Flags passed on to the detached process, as (flag, attribute).
_CHILD_FLAGS = (("--host", "host"), ("--port", "port"), ("--auth-file", "auth_file"), ("--chroma-url", "chroma_url"),
                ("--role", "role"), ("--model", "model"), ("--model-name", "model_name"), ("--adapter", "adapter"),
                ("--max-tokens", "max_tokens"), ("--temperature", "temperature"), ("--seed", "seed"))


def register(sub: argparse._SubParsersAction) -> None:
    from bot.cli_common import add_model_flags, add_role_flag

    p = sub.add_parser("serve", help="start the web chat (and the warm medbot that `ask` and `chat` use)")
    p.add_argument("--host", help="address to bind (default 127.0.0.1; others need --auth-file)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--auth-file", dest="auth_file", help="file of 'user:pbkdf2-hash' lines (required off loopback)")
    p.add_argument("--chroma-url", dest="chroma_url", help="use a Chroma server (http://HOST:PORT)")
    p.add_argument("--background", action="store_true",
                   help="detach from the terminal and return once it answers; `medbot stop` ends it")
    p.add_argument("--no-web", dest="no_web", action="store_true",
                   help="no web page: only keep the model loaded for `medbot ask` and `medbot chat`")
    add_role_flag(p)
    add_model_flags(p)
    p.set_defaults(handler=handle)


def child_argv(args: argparse.Namespace) -> list[str]:
    """The serve arguments of the detached process (everything but --background)."""
    out: list[str] = []
    for flag, attr in _CHILD_FLAGS:
        value = getattr(args, attr, None)
        if value is not None:
            out += [flag, str(value)]
    if getattr(args, "no_web", False):
        out.append("--no-web")
    return out


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
    elif not loopback and not args.no_web:
        raise UserError(f"binding {settings.host} exposes the chat to the network: pass --auth-file")
    if args.background:
        from bot.warm.background import log_path, spawn

        info = spawn(settings, child_argv(args))
        what = "warm medbot" if args.no_web else f"medbot web chat on http://{settings.host}:{settings.port}"
        print(f"{what} runs in the background (pid {info['pid']}; log {log_path(settings)}); "
              "`medbot ask` and `medbot chat` use it; `medbot stop` ends it", flush=True)
        return 0
    return _serve(settings, auth, web=not args.no_web)


def _serve(settings, auth, web: bool) -> int:
    """Run the warm medbot (and the web chat) in this process until stopped."""
    import os
    import signal
    import sys
    import threading

    from bot.agent import Agent
    from bot.errors import UserError
    from bot.warm.serial import SerialBackend
    from bot.warm.server import WarmServer

    def load():
        from bot.llm import load_backend

        return load_backend(settings)

    backend = SerialBackend(load)  # web and terminal turns take turns on the one model
    agent = Agent(settings, backend=backend)
    warm = WarmServer(settings, agent, backend=backend, on_stop=lambda: os.kill(os.getpid(), signal.SIGTERM))
    try:
        warm.start()
    except UserError as exc:
        if not web:
            raise
        warm = None
        sys.stderr.write(f"medbot: warning: {exc}; this web chat does not answer terminal commands\n")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as Ctrl+C does: clean up, then exit
    try:
        if web:
            from bot.ui import serve

            print(f"medbot web chat on http://{settings.host}:{settings.port} (Ctrl+C stops)", flush=True)
            serve(settings, settings.host, settings.port, auth=auth, agent=agent)  # warms the agent up itself
        else:
            threading.Thread(target=warm.warm_up, name="warm-up", daemon=True).start()
            print("warm medbot: `medbot ask` and `medbot chat` of this home use it (Ctrl+C stops)", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if warm is not None:
            warm.close()
    return 0
