"""The warm medbot: one long-lived process that keeps the model loaded for terminal commands.

The web chat and `medbot serve --background` listen on a Unix socket for their home and user.
`medbot ask` and `medbot chat` hand each turn to that process when its settings match theirs, and
`medbot summarize` its case; the answer (or the summary) streams back as JSON lines; otherwise they
run in-process as before. The socket lives
in an owner-only (0700) folder, never on the network, and the server checks each caller's uid
(SO_PEERCRED). Turns share the one model: they queue, and a waiting turn is told so.

Modules: `paths` (where the socket lives, the settings fingerprint), `protocol` (JSON lines),
`server` (`WarmServer`), `client` (`hello`, `open_turn`, `open_summary`, `stop`), `summarize` (the
summary's work, in either process), `background` (detached serve).
"""
