"""The Gradio web chat (the only module that imports gradio).

Streaming answers, a patient/clinician switch, uploads routed to tools (results shown inline and
collapsible), a sources panel with PubMed links, report download, literature index progress,
follow-up proposals to accept or decline, check-ins that open the chat when one is due, and a
patient letter after a case summary.
The conversation id lives in the browser's local storage and messages in the SQLite store, so a
page reload or a server restart shows the same conversation.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import gradio as gr  # this module is imported only by `medbot serve`

from bot.agent import Agent
from bot.llm import DEMO_NOTICE

CSS = ".medbot-banner {font-size: 0.9em; opacity: 0.85}"
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def _sources_md(citations: list[dict[str, Any]]) -> str:
    if not citations:
        return "### Sources\nNo sources cited in the last answer."
    lines = ["### Sources"]
    for c in citations:
        title = c.get("title") or c["id"]
        link = f"[{title}]({c['url']})" if c.get("url") else title
        meta = ", ".join(str(x) for x in (c.get("journal"), c.get("year")) if x)
        lines.append(f"- **{c['id']}** {link}{' — ' + meta if meta else ''}")
    return "\n".join(lines)


def _answered_by(model: str) -> str:
    """The line under the sources that says which model wrote the last answer."""
    return f"\n\n<span class='medbot-banner'>Answered by **{model}**.</span>" if model else ""


def _history_messages(conv) -> list[dict[str, Any]]:
    """Chatbot messages for a stored conversation (text, tool calls, images)."""
    out: list[dict[str, Any]] = []
    for m in conv.messages:
        if m.role == "user":
            out.append({"role": "user", "content": m.content})
            continue
        out.extend(_tool_messages(m.meta.get("tool_calls", []), m.meta.get("files", {})))
        out.append({"role": "assistant", "content": m.content})
    return out


def _tool_messages(tool_calls: list[dict[str, Any]], files: dict[str, str]) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = []
    for call in tool_calls:
        body = call.get("error") and f"Error: {call['error']}" or call.get("summary", "")
        msgs.append({"role": "assistant", "content": body or "(no output)",
                     "metadata": {"title": f"🔧 {call['name']}", "status": "done"}})
    for path in files.values():
        if str(path).lower().endswith(_IMAGE_EXT) and Path(path).is_file():
            msgs.append({"role": "assistant", "content": {"path": str(path)}})
    return msgs


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


class ChatApp:
    """Holds the shared agent pieces; one Agent view per user."""

    def __init__(self, settings, agent: Agent | None = None, clock=None):
        self.settings = settings
        self.agent = agent or Agent(settings, clock=clock)
        self._lock = threading.Lock()  # one generation at a time on the local model
        from bot.safety.ratelimit import RateLimiter

        self.limiter = RateLimiter(settings.safety.rate_limit_per_minute)

    def admit(self, user: str, n_files: int = 0) -> str | None:
        """None when `user` may send a message with `n_files` files now, else the reason why not."""
        limit = self.settings.safety.max_upload_files
        if n_files > limit:
            return f"At most {limit} files per message."
        wait = self.limiter.check(user)
        if wait:
            return (f"Too many messages: at most {self.settings.safety.rate_limit_per_minute} per minute. "
                    f"Try again in {wait:.0f} s.")
        return None

    def api_turn(self, user: str, message: str, conversation_id: str | None, client_id: str | None) -> dict[str, Any]:
        """One turn for API clients, idempotent on `client_id`: a retry returns the stored reply."""
        from bot.errors import UserError

        agent = self.agent_for(user)
        if client_id:
            hit = agent.store.find_client_message(user, client_id, conversation_id or None)
            if hit and hit[2] is not None:
                return {"conversation_id": hit[0], "answer": hit[2], "replayed": True}
            if hit:
                conversation_id = hit[0]
        why = self.admit(user)
        if why:
            raise UserError(why)
        with self._lock:
            res = agent.ask(message, conversation_id=conversation_id or None, client_id=client_id or None)
        return {"conversation_id": res.conversation_id, "answer": res.answer, "triage": res.triage,
                "followup": res.followup, "replayed": False}

    def agent_for(self, user: str | None) -> Agent:
        if not user or user == self.settings.user:
            return self.agent
        s = self.settings.model_copy(update={"user": user})
        return Agent(s, backend=self.agent.backend, retriever=self.agent._retriever, tools=self.agent.tools,
                     store=self.agent.store, clock=self.agent.clock)

    def open_conversation(self, user: str, conv_id: str | None, followup_id: str | None = None) -> str | None:
        """The conversation to show when the page opens: a due check-in's (asked now), else the
        follow-up named in the link, else the browser's own."""
        from bot.errors import UserError
        from bot.followups import open_checkin

        book = self.agent_for(user).followups
        due = open_checkin(book, user)
        if followup_id:
            try:
                return book.get(followup_id, user).conversation_id
            except UserError:
                pass
        return due.conversation_id if due else conv_id

    def pending_proposal(self, user: str, conv_id: str | None) -> dict[str, Any] | None:
        """The follow-up proposed by the last answer of a conversation, unless already decided."""
        if not conv_id:
            return None
        conv = self.agent_for(user).store.get(conv_id, user)
        last = conv.messages[-1] if conv.messages else None
        if last is None or last.role != "assistant":
            return None
        return last.meta.get("followup_proposal") or None

    def has_summary(self, user: str, conv_id: str | None) -> bool:
        """Whether the last answer of a conversation carries a case summary (the letter button shows)."""
        if not conv_id:
            return False
        conv = self.agent_for(user).store.get(conv_id, user)
        last = next((m for m in reversed(conv.messages) if m.role == "assistant"), None)
        return last is not None and any(c.get("name") == "summarize_case" and not c.get("error")
                                        for c in last.meta.get("tool_calls") or [])

    def index_status(self) -> str:
        r = self.agent.retriever()
        if r is None:
            return "Literature index: not available (run `medbot ingest`)."
        st = r.status() if hasattr(r, "status") else {}
        done, total = st.get("dense_done"), st.get("dense_total")
        if total and done is not None and done < total:
            eta = st.get("eta_s")
            rate = st.get("rate")
            return (f"Literature index: keyword search ready ({st.get('bm25_docs', '?')} passages); "
                    f"semantic index {done}/{total} ({100 * done / total:.0f}%"
                    f"{f', {rate:.0f}/s' if rate else ''}{f', ETA {eta / 60:.0f} min' if eta else ''}).")
        line = f"Literature index: ready ({st.get('bm25_docs', total or '?')} passages)."
        try:  # the home's dense fill, per collection, and whether it is paused for an answer
            from retrieval.dense_fill import status_line

            fill = status_line(self.settings.home)
        except Exception:  # noqa: BLE001 - the status line is informative only
            return line
        return line if fill == "Index: empty" else f"{line} {fill}"


def build_app(settings, agent: Agent | None = None, clock=None):
    """Build the Gradio Blocks app for `settings` (optional prebuilt agent and clock, e.g. in tests)."""
    app = ChatApp(settings, agent, clock=clock)
    model_name = app.agent.backend.name
    notice = getattr(app.agent.backend, "notice", None) or (
        DEMO_NOTICE if getattr(app.agent.backend, "is_demo", False) else None)
    demo_note = f"\n\n> ⚠️ {notice}" if notice else ""

    def respond(message, files, history, role, conv_id, request: gr.Request):
        user = getattr(request, "username", None) or settings.user
        agent = app.agent_for(user)
        history = list(history or [])
        uploads = [Path(f if isinstance(f, str) else f.name) for f in (files or [])]
        text = (message or "").strip()
        if not text and not uploads:
            yield history, conv_id, gr.update(), ""
            return
        refused = app.admit(user, len(uploads))
        if refused:
            history.append({"role": "assistant", "content": f"⚠️ {refused}"})
            yield history, conv_id, gr.update(), gr.update()
            return
        shown = text or "(uploaded " + ", ".join(u.name for u in uploads) + ")"
        history.append({"role": "user", "content": shown})
        history.append({"role": "assistant", "content": "…"})
        yield history, conv_id, gr.update(), ""
        streamed = ""
        try:
            with app._lock:
                for ev in agent.turn(text, conversation_id=conv_id, uploads=uploads, role=role):
                    if ev.kind == "token":
                        streamed += ev.data
                        history[-1] = {"role": "assistant", "content": streamed}
                        yield history, conv_id, gr.update(), ""
                    elif ev.kind == "tool":
                        history.insert(len(history) - 1, _tool_messages([ev.data], {})[0])
                        yield history, conv_id, gr.update(), ""
                    elif ev.kind == "done":
                        res = ev.data
                        conv_id = res.conversation_id
                        history[-1] = {"role": "assistant", "content": res.answer}
                        for img in _tool_messages([], res.files):
                            history.insert(len(history) - 1, img)
                        yield history, conv_id, None, _sources_md(res.citations) + _answered_by(res.model)
        except Exception as exc:  # noqa: BLE001 - the chat goes on after a bad input
            from bot.errors import REPORTED_ERRORS

            msg = str(exc) if isinstance(exc, REPORTED_ERRORS) else f"internal error ({type(exc).__name__})"
            history[-1] = {"role": "assistant", "content": f"⚠️ {msg}"}
            yield history, conv_id, None, gr.update()

    def load(conv_id, request: gr.Request):
        user = getattr(request, "username", None) or settings.user
        try:
            conv_id = app.open_conversation(user, conv_id, request.query_params.get("followup"))
        except Exception:  # noqa: BLE001 - a follow-up problem must not keep the chat from opening
            pass
        if not conv_id:
            return [], None
        try:
            conv = app.agent_for(user).store.get(conv_id, user)
        except Exception:  # noqa: BLE001 - unknown or deleted conversation: start fresh
            return [], None
        return _history_messages(conv), conv_id

    def new_conversation():
        return [], None, "### Sources\nNo sources yet."

    def show_after_turn(conv_id, request: gr.Request):
        """Offer the proposed follow-up (if any) and the letter button (after a case summary)."""
        user = getattr(request, "username", None) or settings.user
        try:
            proposal = app.pending_proposal(user, conv_id)
            summary = app.has_summary(user, conv_id)
        except Exception:  # noqa: BLE001 - unknown conversation: offer nothing
            proposal, summary = None, False
        if not proposal:
            return gr.update(visible=False), "", "", gr.update(visible=summary)
        from bot.followups import Proposal

        return (gr.update(visible=True), "**Follow-up?** " + Proposal.from_json(proposal).text(), proposal["due"],
                gr.update(visible=summary))

    def accept_followup(conv_id, due, history, request: gr.Request):
        from bot.errors import REPORTED_ERRORS
        from bot.followups import accept

        user = getattr(request, "username", None) or settings.user
        agent = app.agent_for(user)
        proposal = app.pending_proposal(user, conv_id)
        if not proposal:
            raise gr.Error("There is no follow-up to accept.")
        try:
            fu = accept(agent.followups, conv_id, proposal, user, due=due)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None
        from bot.followups.checkin import confirmation_text

        return (list(history or []) + [{"role": "assistant", "content": confirmation_text(fu)}],
                gr.update(visible=False))

    def decline_followup(conv_id, history, request: gr.Request):
        user = getattr(request, "username", None) or settings.user
        text = "No follow-up scheduled."
        if conv_id and app.pending_proposal(user, conv_id):  # the decision is kept with the conversation
            app.agent_for(user).store.append(conv_id, "assistant", text, {"followup_declined": True})
        return list(history or []) + [{"role": "assistant", "content": text}], gr.update(visible=False)

    def download_letter(conv_id, fmt, request: gr.Request):
        from bot.errors import REPORTED_ERRORS
        from bot.letters import letter_for_conversation, write_letter

        user = getattr(request, "username", None) or settings.user
        agent = app.agent_for(user)
        if not conv_id:
            raise gr.Error("Summarize a case first.")
        ext = "pdf" if fmt == "pdf" else "md"
        try:
            letter = letter_for_conversation(agent.settings, agent.store, conv_id)
            path = write_letter(letter.markdown, agent.store.uploads_dir(conv_id) / f"letter-{conv_id}.{ext}", ext)
            return gr.update(value=str(path), visible=True)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    def download_report(conv_id, fmt, request: gr.Request):
        from bot.errors import REPORTED_ERRORS

        if not conv_id:
            raise gr.Error("Nothing to report yet: ask a question or upload a case first.")
        try:
            from bot.reports import write_report
        except ImportError:
            raise gr.Error("Reports are not available in this installation.") from None
        user = getattr(request, "username", None) or settings.user
        s = app.agent_for(user).settings
        out = app.agent.store.uploads_dir(conv_id) / f"report-{conv_id}.{ {'fhir': 'json'}.get(fmt, fmt) }"
        try:
            return str(write_report(s, conversation_id=conv_id, fmt=fmt, out=out))
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="medbot") as demo:
        gr.Markdown(f"## medbot — medical literature assistant\nModel: **{model_name}**{demo_note}\n\n"
                    f"<span class='medbot-banner'>General information, not medical advice. In an emergency "
                    f"call {settings.emergency}.</span>")
        conv_state = gr.BrowserState(None, storage_key="medbot_conversation", secret=_browser_secret(settings))
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=520, elem_id="chat")
                box = gr.Textbox(placeholder="Ask a health question…", show_label=False, submit_btn=True,
                                 elem_id="question")
                with gr.Group(visible=False, elem_id="followup-offer") as followup_box:
                    followup_md = gr.Markdown(elem_id="followup-text")
                    with gr.Row():
                        followup_due = gr.Textbox(label="Check-in date (YYYY-MM-DD)", elem_id="followup-due", scale=2)
                        accept_btn = gr.Button("Accept follow-up", variant="primary", elem_id="followup-accept",
                                               scale=1)
                        decline_btn = gr.Button("No, thanks", elem_id="followup-decline", scale=1)
                letter_btn = gr.Button("Draft a letter to the patient", visible=False, elem_id="letter-button")
                letter_file = gr.File(label="Letter", elem_id="letter-file", interactive=False, height=80,
                                      visible=False)
                files = gr.File(label="Attach files (FHIR JSON, DICOM/NIfTI/PNG, VCF/BAM, PDF, notes)",
                                file_count="multiple", elem_id="uploads", height=110)
            with gr.Column(scale=1):
                role = gr.Radio(["patient", "clinician"], value=settings.role, label="I am a")
                new_btn = gr.Button("New conversation")
                sources = gr.Markdown("### Sources\nNo sources yet.", elem_id="sources")
                with gr.Group():
                    fmt = gr.Radio(["md", "pdf", "fhir"], value="md", label="Report format")
                    report_btn = gr.Button("Download report", elem_id="report-button")
                    report_file = gr.File(label="Report", elem_id="report-file", interactive=False, height=80)
                status = gr.Markdown(elem_id="index-status")
        after = [followup_box, followup_md, followup_due, letter_btn]
        box.submit(respond, [box, files, chatbot, role, conv_state], [chatbot, conv_state, files, sources]).then(
            show_after_turn, conv_state, after)
        box.submit(lambda: "", None, box)
        new_btn.click(new_conversation, None, [chatbot, conv_state, sources]).then(show_after_turn, conv_state, after)
        report_btn.click(download_report, [conv_state, fmt], report_file)
        accept_btn.click(accept_followup, [conv_state, followup_due, chatbot], [chatbot, followup_box])
        decline_btn.click(decline_followup, [conv_state, chatbot], [chatbot, followup_box])
        letter_btn.click(download_letter, [conv_state, fmt], letter_file)
        demo.load(load, conv_state, [chatbot, conv_state]).then(show_after_turn, conv_state, after)
        demo.load(app.index_status, None, status)

        def api_turn(message: str, conversation_id: str = "", client_id: str = "", request: gr.Request = None) -> dict:
            from bot.errors import REPORTED_ERRORS

            user = getattr(request, "username", None) or settings.user
            try:
                return app.api_turn(user, message, conversation_id, client_id)
            except REPORTED_ERRORS as exc:
                raise gr.Error(str(exc)) from None

        gr.api(api_turn, api_name="turn")  # JSON turns for scripts (bench/load.py), same agent and limits
        gr.Timer(10).tick(app.index_status, None, status)
    demo.medbot_app = app  # `serve` warms its agent up
    return demo


def serve(settings, host: str, port: int, auth=None, agent: Agent | None = None, clock=None) -> None:
    """Launch the web chat (blocking); `clock` (an aware-datetime callable) dates follow-ups."""
    demo = build_app(settings, agent, clock=clock)
    chat = getattr(demo, "medbot_app", None)
    if chat is not None:  # the first question should not wait for models to load

        def warm_up() -> None:
            with chat._lock:  # turns run under this lock: the first one waits for the warm-up
                chat.agent.warm_up()

        threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    demo.queue(default_concurrency_limit=4).launch(server_name=host, server_port=port, auth=auth,
                                                   ssr_mode=False, inbrowser=False, css=CSS)
