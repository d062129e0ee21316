"""The web chat's style sheet: small print for banners, and a layout that fits a phone (390 px)."""

CSS = """
.medbot-banner {font-size: 0.9em; opacity: 0.85}
#sources ol {padding-left: 1.4em}
#conversation-list .wrap {flex-direction: column}
#conversation-list label {width: 100%}
@media (max-width: 480px) {
  #header {padding-left: 28px}
  #header h2 {font-size: 1.25em}
  #chat {height: 60vh !important}
}
"""

# Gradio scopes `css` to the page's content; the page's own margins are set from the document head.
HEAD = """<style>
@media (max-width: 480px) {.gradio-container .main.app {padding-left: 8px !important; padding-right: 8px !important}}
</style>"""

# On a phone the conversation list covers the page: fold it away when the page opens and after a
# conversation is chosen from it.
FOLD_SIDEBAR_ON_PHONE = """() => {
  const bar = document.querySelector('#conversations');
  if (window.innerWidth < 768 && bar && bar.classList.contains('open')) bar.querySelector('.toggle-button').click();
}"""
