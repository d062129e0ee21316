"""The web chat (Gradio), one module per panel.

`chat_app` holds what the chat does for each user (no Gradio); `render`, `examples`,
`index_words` turn data into what is shown; `chat_panel`, `conversations_panel`,
`followup_panel` and `report_panel` build their components and events; `app` puts them on one
page. Gradio is imported only by the panel modules and `app`, which only `medbot serve` loads.
"""

from __future__ import annotations

from bot.ui.chat_app import ChatApp
from bot.ui.style import CSS

__all__ = ["CSS", "ChatApp", "build_app", "serve"]


def build_app(settings, agent=None, clock=None):
    """The Gradio Blocks app (see `bot.ui.app.build_app`)."""
    from bot.ui.app import build_app as build

    return build(settings, agent, clock=clock)


def serve(settings, host: str, port: int, auth=None, agent=None, clock=None) -> None:
    """Launch the web chat, blocking (see `bot.ui.app.serve`)."""
    from bot.ui.app import serve as launch

    launch(settings, host, port, auth=auth, agent=agent, clock=clock)
