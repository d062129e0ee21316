"""Password file for the web chat: lines `user:pbkdf2_sha256$iterations$salt_hex$hash_hex`.

Create a line with `python -m bot.safety.auth USER` (asks for the password).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Callable

from bot.errors import UserError

ITERATIONS = 200_000


def hash_password(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, iters, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "pbkdf2_sha256":
        return False
    calc = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iters))
    return hmac.compare_digest(calc.hex(), digest)


def load_auth(path: str | Path) -> Callable[[str, str], bool]:
    """Read the password file; returns a checker `(user, password) -> bool` for Gradio.

    Raises:
        UserError: unreadable file, malformed line, plain-text password.
    """
    path = Path(path).expanduser()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read auth file {path}: {exc}") from None
    users: dict[str, str] = {}
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, stored = line.partition(":")
        if not sep or not stored.startswith("pbkdf2_sha256$") or stored.count("$") != 3:
            raise UserError(f"{path}:{n}: expected 'user:pbkdf2_sha256$...' (hashed passwords only)")
        users[user.strip()] = stored.strip()
    if not users:
        raise UserError(f"auth file {path} has no users")
    return lambda user, password: user in users and verify_password(password, users[user])


if __name__ == "__main__":
    import getpass
    import sys

    name = sys.argv[1] if len(sys.argv) > 1 else input("user: ")
    print(f"{name}:{hash_password(getpass.getpass('password: '))}")
