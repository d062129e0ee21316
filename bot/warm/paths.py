"""Where a home's warm medbot listens, and the fingerprint of the settings it answers with."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import tempfile
from pathlib import Path

# Settings that do not change an answer given the same turn arguments: the role travels with each
# turn, and host/port only place the web page.
_NOT_FINGERPRINTED = {"role", "host", "port"}


class UnsafeFolder(Exception):
    """The socket folder exists but is not owned by this user with mode 0700."""


def runtime_root() -> Path:
    """`$XDG_RUNTIME_DIR` when it is ours, else the temp folder (short paths: sockets allow ~107 bytes)."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        try:
            st = os.stat(xdg)
            if st.st_uid == os.getuid() and stat.S_ISDIR(st.st_mode):
                return Path(xdg)
        except OSError:
            pass
    return Path(tempfile.gettempdir())


def socket_folder(create: bool = False) -> Path:
    """This user's folder of warm-medbot sockets, mode 0700.

    Raises:
        UnsafeFolder: it exists but belongs to another user or is open to others.
    """
    folder = runtime_root() / f"medbot-{os.getuid()}"
    if create:
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return folder
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise UnsafeFolder(f"{folder} is not a folder owned by uid {os.getuid()} with mode 0700")
    return folder


def key(home: Path, user: str) -> str:
    """A short name for (home, user): one warm process per home and user."""
    h = hashlib.sha256(f"{Path(home).expanduser().resolve()}\0{user}".encode()).hexdigest()
    return h[:20]


def socket_path(home: Path, user: str, create: bool = False) -> Path:
    """The Unix socket of the warm medbot of `home` and `user`."""
    return socket_folder(create) / f"warm-{key(home, user)}.sock"


def lock_path(home: Path, user: str, create: bool = False) -> Path:
    """Held (flock) by the warm process for as long as it serves."""
    return socket_folder(create) / f"warm-{key(home, user)}.lock"


def fingerprint(settings) -> str:
    """A digest of every setting that shapes an answer (model, adapter, generation, safety, retrieval...)."""
    data = settings.model_dump(mode="json")
    for name in _NOT_FINGERPRINTED:
        data.pop(name, None)
    data["home"] = str(Path(settings.home).expanduser().resolve())
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def peer_credentials(conn: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process at the other end of a Unix socket (SO_PEERCRED)."""
    raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", raw)
