"""The web chat page: the header, then the panels (conversations, chat, follow-up, self-checks, sources,
report, knowledge sources) and the events that join them, and `serve`.

The open conversation's id lives in the browser's local storage and its messages in the SQLite
store, so a page reload or a server restart shows the same conversation.
"""

from __future__ import annotations

import threading

import gradio as gr  # imported only by `medbot serve` (through bot.ui)

from bot.agent import Agent
from bot.llm import DEMO_NOTICE
from bot.ui import chat_panel, conversations_panel, followup_panel, report_panel, selfcheck_panel
from bot.ui.chat_app import ChatApp
from bot.ui.chat_panel import user_of
from bot.ui.render import NO_SOURCES, history_messages, last_sources
from bot.ui.style import CSS, FOLD_SIDEBAR_ON_PHONE, HEAD

TITLE = "medbot — health assistant"


def _browser_secret(settings) -> str:
    """A per-installation key for the browser's stored conversation id (kept across restarts)."""
    import secrets

    path = settings.ensure_home() / "ui-secret"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


def _header(settings, backend) -> str:
    notice = getattr(backend, "notice", None) or (DEMO_NOTICE if getattr(backend, "is_demo", False) else None)
    demo_note = f"\n\n> ⚠️ {notice}" if notice else ""
    return (f"## {TITLE}\nAnswers from NIH health answers, guideline summaries and the medical literature, with "
            f"their sources. Model: **{backend.name}**{demo_note}\n\n"
            f"<span class='medbot-banner'>General information, not medical advice. In an emergency "
            f"call {settings.emergency}.</span>")


def build_app(settings, agent: Agent | None = None, clock=None):
    """Build the Gradio Blocks app for `settings` (optional prebuilt agent and clock, e.g. in tests)."""
    app = ChatApp(settings, agent, clock=clock)
    with gr.Blocks(title=TITLE) as demo:
        conv_state = gr.BrowserState(None, storage_key="medbot_conversation", secret=_browser_secret(settings))
        convs = conversations_panel.build()
        gr.Markdown(_header(settings, app.agent.backend), elem_id="header")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = chat_panel.build(settings)
                follow = followup_panel.build()
                checks = selfcheck_panel.build(settings)
            with gr.Column(scale=1, min_width=260):
                sources = gr.Markdown(NO_SOURCES, elem_id="sources")
                report = report_panel.build(settings)
                status = gr.Markdown(elem_id="index-status")

        def refresh(conv_id, role, request: gr.Request):
            """Everything that depends on the open conversation, after a turn or a switch."""
            user = user_of(request, settings)
            return (conversations_panel.listing_updates(app, user, conv_id)
                    + (report_panel.update(app, user, role, conv_id),)
                    + followup_panel.updates(app, user, conv_id))

        refreshed = [convs.listing, convs.title, report.group] + follow.refreshed

        def after(event):
            return event.then(refresh, [conv_state, chat.role], refreshed)

        def load(conv_id, request: gr.Request):
            user = user_of(request, settings)
            try:
                conv_id = app.open_conversation(user, conv_id, request.query_params.get("followup"))
            except Exception:  # noqa: BLE001 - a follow-up problem must not keep the chat from opening
                pass
            try:
                conv = app.messages(user, conv_id) if conv_id else None
            except Exception:  # noqa: BLE001 - unknown, deleted or another user's conversation: start fresh
                conv = None
            if conv is None:
                return [], None, NO_SOURCES
            return history_messages(conv), conv_id, last_sources(conv)

        chat_panel.wire(chat, app, settings, conv_state, sources, after)
        conversations_panel.wire(convs, app, settings, chat.chatbot, conv_state, sources, after)
        followup_panel.wire(follow, app, settings, chat.chatbot, conv_state, report.fmt)
        report_panel.wire(report, app, settings, conv_state, chat.role)
        selfcheck_panel.wire(checks, app, settings, chat.role)
        after(demo.load(load, conv_state, [chat.chatbot, conv_state, sources]))
        demo.load(None, None, None, js=FOLD_SIDEBAR_ON_PHONE)
        demo.load(app.index_status, None, status)
        gr.Timer(10).tick(app.index_status, None, status)
        _api(app, settings)
    demo.medbot_app = app  # `serve` warms its agent up
    return demo


def _api(app: ChatApp, settings) -> None:
    """JSON turns for scripts (bench/load.py), same agent and limits."""

    def api_turn(message: str, conversation_id: str = "", client_id: str = "", request: gr.Request = None) -> dict:
        from bot.errors import REPORTED_ERRORS

        try:
            return app.api_turn(user_of(request, settings), message, conversation_id, client_id)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    gr.api(api_turn, api_name="turn")


def serve(settings, host: str, port: int, auth=None, agent: Agent | None = None, clock=None) -> None:
    """Launch the web chat (blocking); `clock` (an aware-datetime callable) dates follow-ups."""
    demo = build_app(settings, agent, clock=clock)
    chat = demo.medbot_app

    def warm_up() -> None:  # the first question should not wait for models to load
        with chat._lock:  # turns run under this lock: the first one waits for the warm-up
            chat.agent.warm_up()

    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    demo.queue(default_concurrency_limit=4).launch(server_name=host, server_port=port, auth=auth,
                                                   ssr_mode=False, inbrowser=False, css=CSS, head=HEAD)
