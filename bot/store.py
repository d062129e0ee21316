"""Conversations in SQLite under MEDBOT_HOME: atomic, restart-safe, owner-only.

Each write is one transaction in WAL mode with `synchronous=FULL`, so a crash (even `kill -9`)
leaves either the whole message or none. Every conversation belongs to a user id (`local` when
there is no authentication); reads are always filtered by user.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from bot.errors import UserError

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '', created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}',
  client_id TEXT, created REAL NOT NULL,
  UNIQUE (conversation_id, seq), UNIQUE (conversation_id, client_id)
);
CREATE TABLE IF NOT EXISTS uploads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  path TEXT NOT NULL, kind TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS followups (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  user TEXT NOT NULL, status TEXT NOT NULL, due TEXT NOT NULL, subject TEXT NOT NULL, question TEXT NOT NULL,
  urgent_if TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL DEFAULT '{}',
  created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS selfchecks (
  id TEXT PRIMARY KEY, user TEXT NOT NULL, questionnaire TEXT NOT NULL, answers TEXT NOT NULL,
  total INTEGER NOT NULL, band TEXT NOT NULL, created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS selfchecks_user ON selfchecks(user, created);
CREATE INDEX IF NOT EXISTS messages_conv ON messages(conversation_id, seq);
CREATE INDEX IF NOT EXISTS followups_user ON followups(user, status, due);
CREATE INDEX IF NOT EXISTS conv_user ON conversations(user, updated);
"""


@dataclass
class Message:
    role: str
    content: str
    meta: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    created: float = 0.0

    def to_openai(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass
class Conversation:
    id: str
    user: str
    role: str
    title: str
    model: str
    created: float
    updated: float
    messages: list[Message] = field(default_factory=list)


class Store:
    """SQLite conversation store (one file, `home/medbot.sqlite3`)."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = self.home / "medbot.sqlite3"
        new = not self.path.exists()
        self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        if new:
            os.chmod(self.path, 0o600)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)

    @classmethod
    def from_settings(cls, settings) -> "Store":
        return cls(settings.home)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def transaction(self):
        """A write transaction (BEGIN IMMEDIATE ... COMMIT, rolled back on error) on the store's connection.

        For modules that keep their own tables in this store (follow-ups): one owner, one file.
        """
        return self._tx()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of a read-only query on the store's connection."""
        return self._conn.execute(sql, params).fetchall()

    def uploads_dir(self, conversation_id: str) -> Path:
        """Folder for a conversation's uploads and derived files (deleted with it)."""
        d = self.home / "conversations" / conversation_id
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        return d

    def create(self, user: str = "local", role: str = "patient", title: str = "", model: str = "") -> str:
        cid = uuid.uuid4().hex[:12]
        now = time.time()
        with self._tx() as c:
            c.execute("INSERT INTO conversations VALUES (?,?,?,?,?,?,?)", (cid, user, role, title[:80], model, now, now))
        return cid

    def get(self, conversation_id: str, user: str = "local") -> Conversation:
        """Load a conversation with its messages.

        Raises:
            UserError: no such conversation for this user.
        """
        row = self._conn.execute("SELECT id,user,role,title,model,created,updated FROM conversations "
                                 "WHERE id=? AND user=?", (conversation_id, user)).fetchone()
        if row is None:
            raise UserError(f"no conversation '{conversation_id}'")
        conv = Conversation(*row)
        conv.messages = [Message(r[0], r[1], json.loads(r[2]), r[3], r[4]) for r in self._conn.execute(
            "SELECT role,content,meta,seq,created FROM messages WHERE conversation_id=? ORDER BY seq",
            (conversation_id,))]
        return conv

    def append(self, conversation_id: str, role: str, content: str, meta: dict[str, Any] | None = None,
               client_id: str | None = None) -> int:
        """Append one message atomically; a repeated `client_id` is ignored (idempotent retries).

        Returns:
            The message's sequence number in the conversation.
        """
        now = time.time()
        with self._tx() as c:
            if client_id:
                hit = c.execute("SELECT seq FROM messages WHERE conversation_id=? AND client_id=?",
                                (conversation_id, client_id)).fetchone()
                if hit:
                    return hit[0]
            seq = c.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM messages WHERE conversation_id=?",
                            (conversation_id,)).fetchone()[0]
            c.execute("INSERT INTO messages (conversation_id,seq,role,content,meta,client_id,created) "
                      "VALUES (?,?,?,?,?,?,?)",
                      (conversation_id, seq, role, content, json.dumps(meta or {}, default=str), client_id, now))
            title = content[:80] if role == "user" and seq == 0 else None
            if title:
                c.execute("UPDATE conversations SET updated=?, title=? WHERE id=?", (now, title, conversation_id))
            else:
                c.execute("UPDATE conversations SET updated=? WHERE id=?", (now, conversation_id))
        return seq

    def add_upload(self, conversation_id: str, path: Path, kind: str) -> None:
        with self._tx() as c:
            c.execute("INSERT INTO uploads (conversation_id,path,kind,created) VALUES (?,?,?,?)",
                      (conversation_id, str(path), kind, time.time()))

    def find_client_message(self, user: str, client_id: str, conversation_id: str | None = None
                            ) -> tuple[str, int, str | None] | None:
        """Where a client's message id was stored, for idempotent retries after a failure.

        Returns:
            (conversation id, seq of the user message, content of the assistant reply that follows
            it or None when there is none yet), or None when the id was never stored for this user.
        """
        q = ("SELECT m.conversation_id, m.seq FROM messages m JOIN conversations c ON c.id = m.conversation_id "
             "WHERE c.user=? AND m.client_id=?" + (" AND m.conversation_id=?" if conversation_id else "") +
             " ORDER BY m.id LIMIT 1")
        row = self._conn.execute(q, (user, client_id, conversation_id) if conversation_id else (user, client_id)).fetchone()
        if row is None:
            return None
        reply = self._conn.execute("SELECT content FROM messages WHERE conversation_id=? AND seq=? AND role='assistant'",
                                   (row[0], row[1] + 1)).fetchone()
        return row[0], row[1], reply[0] if reply else None

    def uploads(self, conversation_id: str) -> list[dict[str, Any]]:
        return [{"path": r[0], "kind": r[1]} for r in self._conn.execute(
            "SELECT path,kind FROM uploads WHERE conversation_id=? ORDER BY id", (conversation_id,))]

    def list(self, user: str = "local", limit: int = 100) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT c.id,c.title,c.role,c.model,c.created,c.updated,"
            "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id=c.id) "
            "FROM conversations c WHERE user=? ORDER BY updated DESC LIMIT ?", (user, limit)).fetchall()
        keys = ("id", "title", "role", "model", "created", "updated", "messages")
        return [dict(zip(keys, r)) for r in rows]

    def rename(self, conversation_id: str, title: str, user: str = "local") -> str:
        """Set a conversation's title (whitespace collapsed, at most 80 characters); messages and
        the time it was last updated stay as they are.

        Returns:
            The title as stored.

        Raises:
            UserError: an empty title, or no such conversation for this user.
        """
        title = " ".join(str(title or "").split())[:80]
        if not title:
            raise UserError("a conversation needs a title")
        with self._tx() as c:
            changed = c.execute("UPDATE conversations SET title=? WHERE id=? AND user=?",
                                (title, conversation_id, user)).rowcount
        if not changed:
            raise UserError(f"no conversation '{conversation_id}'")
        return title

    def delete(self, conversation_id: str, user: str = "local") -> None:
        """Delete a conversation, its messages, uploads and derived files."""
        import shutil

        self.get(conversation_id, user)  # raises for unknown ids / other users
        with self._tx() as c:
            c.execute("DELETE FROM conversations WHERE id=? AND user=?", (conversation_id, user))
        folder = self.home / "conversations" / conversation_id
        if folder.exists():
            shutil.rmtree(folder)

    # ---- self-checks (PHQ-9, GAD-7 answers): the user's own, never written to the audit trail ----
    def save_selfcheck(self, user: str, questionnaire: str, answers: dict[str, int], total: int, band: str) -> str:
        """Store a completed self-check of `user`; returns its id."""
        sid = uuid.uuid4().hex[:12]
        with self._tx() as c:
            c.execute("INSERT INTO selfchecks (id,user,questionnaire,answers,total,band,created) VALUES (?,?,?,?,?,?,?)",
                      (sid, user, questionnaire, json.dumps(answers), int(total), band, time.time()))
        return sid

    def selfchecks(self, user: str = "local", limit: int = 100) -> list[dict[str, Any]]:
        """The user's self-checks, newest first (id, questionnaire, answers, total, band, created)."""
        rows = self._conn.execute("SELECT id,questionnaire,answers,total,band,created FROM selfchecks WHERE user=? "
                                  "ORDER BY created DESC, rowid DESC LIMIT ?", (user, limit)).fetchall()
        return [{"id": r[0], "questionnaire": r[1], "answers": json.loads(r[2]), "total": r[3], "band": r[4],
                 "created": r[5]} for r in rows]

    def delete_selfcheck(self, selfcheck_id: str, user: str = "local") -> None:
        """Delete one of the user's self-checks.

        Raises:
            UserError: no such self-check for this user.
        """
        with self._tx() as c:
            gone = c.execute("DELETE FROM selfchecks WHERE id=? AND user=?", (selfcheck_id, user)).rowcount
        if not gone:
            raise UserError(f"no self-check '{selfcheck_id}'")

    def delete_selfchecks(self, user: str = "local") -> int:
        """Delete all of the user's self-checks; returns how many."""
        with self._tx() as c:
            return c.execute("DELETE FROM selfchecks WHERE user=?", (user,)).rowcount

    def purge_selfchecks_older_than(self, days: int, user: str | None = None) -> int:
        """Delete self-check results older than `days` days (retention); returns how many."""
        cutoff = time.time() - days * 86400
        with self._tx() as c:
            return c.execute("DELETE FROM selfchecks WHERE created < ?" + (" AND user=?" if user else ""),
                             (cutoff, user) if user else (cutoff,)).rowcount

    def purge_older_than(self, days: int, user: str | None = None) -> int:
        """Delete conversations not updated for `days` days (retention); returns how many."""
        cutoff = time.time() - days * 86400
        q = "SELECT id,user FROM conversations WHERE updated < ?" + (" AND user=?" if user else "")
        rows = self._conn.execute(q, (cutoff, user) if user else (cutoff,)).fetchall()
        for cid, owner in rows:
            self.delete(cid, owner)
        return len(rows)
