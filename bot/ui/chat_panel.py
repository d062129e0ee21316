"""The chat panel: who is asking (patient or clinician), the conversation (example questions while
it is empty), the question box and attachments; a turn streams the agent's events into it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from bot.ui.examples import chatbot_examples
from bot.ui.render import answered_by, sources_md, tool_messages


@dataclass
class ChatPanel:
    role: gr.Radio
    chatbot: gr.Chatbot
    box: gr.Textbox
    files: gr.File


def user_of(request: gr.Request | None, settings) -> str:
    """The signed-in user (with `--auth-file`), else the configured local user."""
    return getattr(request, "username", None) or settings.user


def build(settings) -> ChatPanel:
    """The chat's components, in the current layout block."""
    role = gr.Radio(["patient", "clinician"], value=settings.role, label="I am a", elem_id="role")
    chatbot = gr.Chatbot(label="Conversation", height=520, elem_id="chat", examples=chatbot_examples(settings.role),
                         feedback_options=None, buttons=["copy"])
    box = gr.Textbox(placeholder="Ask a health question…", show_label=False, submit_btn=True, elem_id="question")
    files = gr.File(label="Attach files (FHIR JSON, DICOM/NIfTI/PNG, VCF/BAM, PDF, notes)", file_count="multiple",
                    elem_id="uploads", height=110)
    return ChatPanel(role, chatbot, box, files)


def responder(app, settings):
    """The turn handler: (message, files, history, role, conversation id) -> streamed
    (history, conversation id, files, sources panel)."""

    def respond(message, files, history, role, conv_id, request: gr.Request):
        user = user_of(request, settings)
        agent = app.agent_for(user)
        history = list(history or [])
        uploads = [Path(f if isinstance(f, str) else f.name) for f in (files or [])]
        text = (message or "").strip()
        if not text and not uploads:
            yield history, conv_id, gr.update(), gr.update()
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
                    elif ev.kind == "reading" and not streamed.strip():  # while the model reads them
                        from bot.answers.cite import reading_line

                        history[-1] = {"role": "assistant", "content": f"_{reading_line(ev.data)}…_"}
                        yield history, conv_id, gr.update(), ""
                    elif ev.kind == "reading":
                        from bot.answers.cite import reading_line

                        history[-1] = {"role": "assistant", "content": f"{streamed}\n\n_{reading_line(ev.data)}…_"}
                        yield history, conv_id, gr.update(), ""
                    elif ev.kind == "tool":
                        history.insert(len(history) - 1, tool_messages([ev.data], {})[0])
                        yield history, conv_id, gr.update(), ""
                    elif ev.kind == "done":
                        res = ev.data
                        conv_id = res.conversation_id
                        history[-1] = {"role": "assistant", "content": res.answer}
                        for img in tool_messages([], res.files):
                            history.insert(len(history) - 1, img)
                        yield history, conv_id, None, sources_md(res.citations) + answered_by(res.model)
        except Exception as exc:  # noqa: BLE001 - the chat goes on after a bad input
            from bot.errors import REPORTED_ERRORS

            msg = str(exc) if isinstance(exc, REPORTED_ERRORS) else f"internal error ({type(exc).__name__})"
            history[-1] = {"role": "assistant", "content": f"⚠️ {msg}"}
            yield history, conv_id, None, gr.update()

    return respond


def example_text(evt: gr.SelectData) -> str:
    """The question of a clicked example."""
    value = evt.value
    return value.get("text", "") if isinstance(value, dict) else str(value or "")


def wire(panel: ChatPanel, app, settings, conv_state, sources, after) -> None:
    """Questions (typed or an example clicked) run a turn, then `after` refreshes the other panels."""
    turn = responder(app, settings)
    outs = [panel.chatbot, conv_state, panel.files, sources]
    after(panel.box.submit(turn, [panel.box, panel.files, panel.chatbot, panel.role, conv_state], outs))
    panel.box.submit(lambda: "", None, panel.box)
    picked = gr.State("")  # a clicked example is asked as it is, without passing through the box
    asked = panel.chatbot.example_select(example_text, None, picked)
    after(asked.then(turn, [picked, panel.files, panel.chatbot, panel.role, conv_state], outs))
    panel.role.change(lambda r: gr.update(examples=chatbot_examples(r)), panel.role, panel.chatbot)
