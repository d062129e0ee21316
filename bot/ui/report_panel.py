"""The report panel: download the conversation as a report (Markdown, PDF or FHIR). It shows for
clinicians, and for patients once the conversation holds something to report."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from bot.ui.chat_panel import user_of


@dataclass
class ReportPanel:
    group: gr.Column
    fmt: gr.Radio
    button: gr.Button
    file: gr.File


def build(settings) -> ReportPanel:
    with gr.Column(visible=settings.role == "clinician", variant="panel", elem_id="report-panel") as group:
        fmt = gr.Radio(["md", "pdf", "fhir"], value="md", label="Report format", elem_id="report-format")
        button = gr.Button("Download report", elem_id="report-button")
        file = gr.File(label="Report", elem_id="report-file", interactive=False, height=80, visible=False)
    return ReportPanel(group, fmt, button, file)


def update(app, user: str, role: str, conv_id: str | None):
    """The panel's visibility for this role and conversation."""
    return gr.update(visible=app.report_visible(user, role, conv_id))


def wire(panel: ReportPanel, app, settings, conv_state, role: gr.Radio) -> None:
    def download_report(conv_id, fmt, request: gr.Request):
        from bot.errors import REPORTED_ERRORS

        if not conv_id:
            raise gr.Error("Nothing to report yet: ask a question or upload a case first.")
        try:
            from bot.reports import write_report
        except ImportError:
            raise gr.Error("Reports are not available in this installation.") from None
        agent = app.agent_for(user_of(request, settings))
        out = agent.store.uploads_dir(conv_id) / f"report-{conv_id}.{ {'fhir': 'json'}.get(fmt, fmt) }"
        try:
            return gr.update(value=str(write_report(agent.settings, conversation_id=conv_id, fmt=fmt, out=out)),
                             visible=True)
        except REPORTED_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    def on_role(role_value, conv_id, request: gr.Request):
        return update(app, user_of(request, settings), role_value, conv_id)

    panel.button.click(download_report, [conv_state, panel.fmt], panel.file)
    role.change(on_role, [role, conv_state], panel.group)
