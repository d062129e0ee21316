"""The conversation list (a sidebar, folded away on a phone): start a new conversation, resume,
rename or delete one. Each signed-in user sees only their own (the store filters by user)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from bot.ui.chat_panel import user_of
from bot.ui.render import NO_SOURCES, conversation_choices, history_messages, last_sources
from bot.ui.style import FOLD_SIDEBAR_ON_PHONE


@dataclass
class ConversationsPanel:
    new_btn: gr.Button
    listing: gr.Radio
    title: gr.Textbox
    rename_btn: gr.Button
    delete_btn: gr.Button
    confirm: gr.Column
    confirm_btn: gr.Button
    cancel_btn: gr.Button


def build() -> ConversationsPanel:
    """The list and its actions, in a sidebar."""
    with gr.Sidebar(label="Conversations", elem_id="conversations", width=300):
        new_btn = gr.Button("New conversation", variant="primary", elem_id="new-conversation")
        listing = gr.Radio([], label="Your conversations", elem_id="conversation-list")
        with gr.Accordion("Rename or delete", open=False, elem_id="conversation-edit"):
            title = gr.Textbox(label="Title of this conversation", elem_id="conversation-title", max_lines=1)
            with gr.Row():
                rename_btn = gr.Button("Rename", elem_id="rename-conversation", min_width=80)
                delete_btn = gr.Button("Delete", variant="stop", elem_id="delete-conversation", min_width=80)
            with gr.Column(visible=False, elem_id="delete-confirm") as confirm:
                gr.Markdown("Delete this conversation, its uploads and reports? This cannot be undone.")
                with gr.Row():
                    confirm_btn = gr.Button("Delete for good", variant="stop", elem_id="delete-yes", min_width=80)
                    cancel_btn = gr.Button("Keep it", elem_id="delete-no", min_width=80)
    return ConversationsPanel(new_btn, listing, title, rename_btn, delete_btn, confirm, confirm_btn, cancel_btn)


def listing_updates(app, user: str, conv_id: str | None) -> tuple:
    """The list (the open conversation selected) and the title box for `user`."""
    rows = app.conversations(user)
    current = next((r for r in rows if r["id"] == conv_id), None)
    return (gr.update(choices=conversation_choices(rows), value=current["id"] if current else None),
            current["title"] if current else "")


def wire(panel: ConversationsPanel, app, settings, chatbot: gr.Chatbot, conv_state, sources, after) -> None:
    """Resume, start, rename and delete; `after` refreshes the panels that depend on the conversation."""

    def resume(conv_id, request: gr.Request):
        user = user_of(request, settings)
        try:
            conv = app.messages(user, conv_id)
        except Exception:  # noqa: BLE001 - deleted meanwhile (another tab): show the list as it is now
            return ([], None, NO_SOURCES) + listing_updates(app, user, None)
        return (history_messages(conv), conv_id, last_sources(conv)) + listing_updates(app, user, conv_id)

    def start(request: gr.Request):
        return ([], None, NO_SOURCES) + listing_updates(app, user_of(request, settings), None)

    def rename(conv_id, title, request: gr.Request):
        from bot.errors import REPORTED_ERRORS

        user = user_of(request, settings)
        try:
            app.rename(user, conv_id, title)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None
        return listing_updates(app, user, conv_id)

    def delete(conv_id, request: gr.Request):
        from bot.errors import REPORTED_ERRORS

        user = user_of(request, settings)
        try:
            app.delete(user, conv_id)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None
        return ([], None, NO_SOURCES) + listing_updates(app, user, None) + (gr.update(visible=False),)

    shown = [chatbot, conv_state, sources, panel.listing, panel.title]
    after(panel.listing.input(resume, panel.listing, shown))
    after(panel.new_btn.click(start, None, shown))
    after(chatbot.clear(start, None, shown))  # the chat's own clear button starts a new one; the old one stays listed
    panel.listing.input(None, None, None, js=FOLD_SIDEBAR_ON_PHONE)
    panel.new_btn.click(None, None, None, js=FOLD_SIDEBAR_ON_PHONE)
    panel.rename_btn.click(rename, [conv_state, panel.title], [panel.listing, panel.title])
    panel.delete_btn.click(lambda: gr.update(visible=True), None, panel.confirm)
    panel.cancel_btn.click(lambda: gr.update(visible=False), None, panel.confirm)
    after(panel.confirm_btn.click(delete, conv_state, shown + [panel.confirm]))
