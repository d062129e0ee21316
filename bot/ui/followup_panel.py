"""Under the chat: the follow-up the last answer proposes (accept with a date, or decline) and,
after a case summary, a letter to the patient."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from bot.ui.chat_panel import user_of


@dataclass
class FollowupPanel:
    offer: gr.Group
    text: gr.Markdown
    due: gr.Textbox
    accept_btn: gr.Button
    decline_btn: gr.Button
    letter_btn: gr.Button
    letter_file: gr.File

    @property
    def refreshed(self) -> list:
        """The components `updates` returns values for, in order."""
        return [self.offer, self.text, self.due, self.letter_btn]


def build() -> FollowupPanel:
    with gr.Group(visible=False, elem_id="followup-offer") as offer:
        text = gr.Markdown(elem_id="followup-text")
        with gr.Row():
            due = gr.Textbox(label="Check-in date (YYYY-MM-DD)", elem_id="followup-due", scale=2, min_width=140)
            accept_btn = gr.Button("Accept follow-up", variant="primary", elem_id="followup-accept", scale=1,
                                   min_width=100)
            decline_btn = gr.Button("No, thanks", elem_id="followup-decline", scale=1, min_width=100)
    letter_btn = gr.Button("Draft a letter to the patient", visible=False, elem_id="letter-button")
    letter_file = gr.File(label="Letter", elem_id="letter-file", interactive=False, height=80, visible=False)
    return FollowupPanel(offer, text, due, accept_btn, decline_btn, letter_btn, letter_file)


def updates(app, user: str, conv_id: str | None) -> tuple:
    """Offer the proposed follow-up (if any) and the letter button (after a case summary)."""
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


def wire(panel: FollowupPanel, app, settings, chatbot: gr.Chatbot, conv_state, fmt: gr.Radio) -> None:
    def accept_followup(conv_id, due, history, request: gr.Request):
        from bot.errors import REPORTED_ERRORS
        from bot.followups import accept
        from bot.followups.checkin import confirmation_text

        user = user_of(request, settings)
        proposal = app.pending_proposal(user, conv_id)
        if not proposal:
            raise gr.Error("There is no follow-up to accept.")
        try:
            fu = accept(app.agent_for(user).followups, conv_id, proposal, user, due=due)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None
        return (list(history or []) + [{"role": "assistant", "content": confirmation_text(fu)}],
                gr.update(visible=False))

    def decline_followup(conv_id, history, request: gr.Request):
        user = user_of(request, settings)
        text = "No follow-up scheduled."
        if conv_id and app.pending_proposal(user, conv_id):  # the decision is kept with the conversation
            app.agent_for(user).store.append(conv_id, "assistant", text, {"followup_declined": True})
        return list(history or []) + [{"role": "assistant", "content": text}], gr.update(visible=False)

    def download_letter(conv_id, fmt_value, request: gr.Request):
        from bot.errors import REPORTED_ERRORS
        from bot.letters import letter_for_conversation, write_letter

        agent = app.agent_for(user_of(request, settings))
        if not conv_id:
            raise gr.Error("Summarize a case first.")
        ext = "pdf" if fmt_value == "pdf" else "md"
        try:
            letter = letter_for_conversation(agent.settings, agent.store, conv_id)
            path = write_letter(letter.markdown, agent.store.uploads_dir(conv_id) / f"letter-{conv_id}.{ext}", ext)
            return gr.update(value=str(path), visible=True)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    panel.accept_btn.click(accept_followup, [conv_state, panel.due, chatbot], [chatbot, panel.offer])
    panel.decline_btn.click(decline_followup, [conv_state, chatbot], [chatbot, panel.offer])
    panel.letter_btn.click(download_letter, [conv_state, fmt], panel.letter_file)
