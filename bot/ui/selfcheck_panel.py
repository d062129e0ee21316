"""The patient's self-checks: PHQ-9 ("Check your mood") and GAD-7 ("Check for anxiety") as compact
forms, one question under the other, that fit a phone's width. PHQ-9 item 9 answered above 0 shows
the crisis reply at once; the total, its band and source show at the end and are kept for the
signed-in user only, who can delete them here. Shown in the patient role only; nothing of it goes to
the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field

import gradio as gr

from bot.scores.selfcheck import ANSWERS, QUESTIONNAIRES, Questionnaire, crisis_for_answer, history_line
from bot.ui.chat_panel import user_of

LABELS = {"phq9": "Check your mood (PHQ-9)", "gad7": "Check for anxiety (GAD-7)"}
CHOICES = [(text, n) for n, text in enumerate(ANSWERS)]


@dataclass
class SelfCheckForm:
    questionnaire: Questionnaire
    items: list[gr.Radio]
    crisis: gr.Markdown
    submit: gr.Button
    again: gr.Button
    result: gr.Markdown


@dataclass
class SelfCheckPanel:
    group: gr.Column
    forms: list[SelfCheckForm] = field(default_factory=list)
    history: gr.Accordion | None = None
    listing: gr.Radio | None = None
    delete_btn: gr.Button | None = None
    delete_all_btn: gr.Button | None = None
    confirm: gr.Column | None = None
    confirm_text: gr.Markdown | None = None
    confirm_btn: gr.Button | None = None
    cancel_btn: gr.Button | None = None
    pending: gr.State | None = None


def _form(q: Questionnaire) -> SelfCheckForm:
    with gr.Accordion(LABELS[q.key], open=False, elem_id=f"selfcheck-{q.key}"):
        gr.Markdown(f"**{q.stem}** Choose one answer for each. _A screening questionnaire, not a diagnosis._")
        items, crisis = [], None
        for n, (key, text) in enumerate(q.items, 1):
            items.append(gr.Radio(CHOICES, label=f"{n}. {text}", elem_id=f"{q.key}-q{n}"))
            if key == q.crisis_item:  # right under the question, so it shows where the answer was given
                crisis = gr.Markdown(visible=False, elem_id=f"{q.key}-crisis", container=True)
        if crisis is None:
            crisis = gr.Markdown(visible=False, elem_id=f"{q.key}-crisis")
        with gr.Row():
            submit = gr.Button("See my total", variant="primary", elem_id=f"{q.key}-submit", min_width=120)
            again = gr.Button("Start again", elem_id=f"{q.key}-again", min_width=100)
        result = gr.Markdown(elem_id=f"{q.key}-result")
    return SelfCheckForm(q, items, crisis, submit, again, result)


def build(settings) -> SelfCheckPanel:
    """The forms and the saved results, in the current layout block (visible for patients)."""
    with gr.Column(visible=settings.role == "patient", elem_id="selfcheck") as group:
        panel = SelfCheckPanel(group, [_form(q) for q in QUESTIONNAIRES.values()])
        with gr.Accordion("My check results", open=False, elem_id="selfcheck-history") as history:
            gr.Markdown("Kept for you only. Delete one or all of them here.")
            listing = gr.Radio([], label="Saved results", elem_id="selfcheck-list")
            with gr.Row():
                delete_btn = gr.Button("Delete this result", variant="stop", elem_id="selfcheck-delete", min_width=100)
                delete_all_btn = gr.Button("Delete all", variant="stop", elem_id="selfcheck-delete-all", min_width=100)
            with gr.Column(visible=False, elem_id="selfcheck-confirm") as confirm:
                confirm_text = gr.Markdown()
                with gr.Row():
                    confirm_btn = gr.Button("Delete for good", variant="stop", elem_id="selfcheck-delete-yes",
                                            min_width=80)
                    cancel_btn = gr.Button("Keep", elem_id="selfcheck-delete-no", min_width=80)
    panel.history, panel.listing, panel.delete_btn, panel.delete_all_btn = history, listing, delete_btn, delete_all_btn
    panel.confirm, panel.confirm_text, panel.confirm_btn, panel.cancel_btn = confirm, confirm_text, confirm_btn, cancel_btn
    panel.pending = gr.State(None)
    return panel


def listing_update(app, user: str):
    """The user's saved results as choices (newest first), none selected."""
    rows = app.agent.store.selfchecks(user)
    return gr.update(choices=[(history_line(r), r["id"]) for r in rows], value=None)


def _wire_form(form: SelfCheckForm, app, settings, listing: gr.Radio) -> None:
    q = form.questionnaire
    keys = [k for k, _ in q.items]
    if q.crisis_item:
        item = form.items[keys.index(q.crisis_item)]

        def on_item(value):
            reply = crisis_for_answer(q.key, q.crisis_item, value, settings)
            return gr.update(value=reply or "", visible=bool(reply))

        item.change(on_item, item, form.crisis)

    def see_total(data: dict, request: gr.Request):  # a set of inputs arrives as {component: value}
        from bot.errors import UserError
        from bot.scores.selfcheck import complete, unanswered

        user = user_of(request, settings)
        answers = {k: data.get(radio) for k, radio in zip(keys, form.items)}
        open_items = unanswered(q.key, answers)
        if open_items:
            return (f"Answer every question to see your total (still open: {', '.join(map(str, open_items))}).",
                    gr.update())
        try:
            # the crisis reply already shows under item 9 (and stays while that answer is above 0)
            _, _, text = complete(app.agent.store, user, q.key, answers, settings, with_crisis=False)
        except UserError as exc:
            return f"⚠️ {exc}", gr.update()
        return text, listing_update(app, user)

    form.submit.click(see_total, set(form.items), [form.result, listing])
    form.again.click(lambda: [None] * len(form.items) + ["", gr.update(value="", visible=False)], None,
                     form.items + [form.result, form.crisis])


def wire(panel: SelfCheckPanel, app, settings, role: gr.Radio) -> None:
    """The forms, the saved results (listed when opened, after a total, after a deletion) and the role switch."""
    for form in panel.forms:
        _wire_form(form, app, settings, panel.listing)

    def refresh(request: gr.Request):
        return listing_update(app, user_of(request, settings))

    def ask(selected, everything: bool):
        if not everything and not selected:
            raise gr.Error("Choose a saved result to delete.")
        text = ("Delete all your saved check results? This cannot be undone." if everything
                else "Delete this check result? This cannot be undone.")
        return gr.update(visible=True), text, ("*" if everything else selected)

    def delete(pending, request: gr.Request):
        from bot.errors import UserError

        user = user_of(request, settings)
        store = app.agent.store
        try:
            if pending == "*":
                store.delete_selfchecks(user)
            elif pending:
                store.delete_selfcheck(pending, user)
        except UserError as exc:
            raise gr.Error(str(exc)) from None
        return listing_update(app, user), gr.update(visible=False), None

    panel.history.expand(refresh, None, panel.listing)
    panel.delete_btn.click(lambda s: ask(s, False), panel.listing, [panel.confirm, panel.confirm_text, panel.pending])
    panel.delete_all_btn.click(lambda s: ask(s, True), panel.listing,
                               [panel.confirm, panel.confirm_text, panel.pending])
    panel.cancel_btn.click(lambda: (gr.update(visible=False), None), None, [panel.confirm, panel.pending])
    panel.confirm_btn.click(delete, panel.pending, [panel.listing, panel.confirm, panel.pending])
    role.change(lambda r: gr.update(visible=r == "patient"), role, panel.group)
