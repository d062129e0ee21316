"""`medbot serve` with a clock the test moves: now + the days written in a file (0 when absent).

Usage: python clock_server.py PORT OFFSET_FILE
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's `bot`
    from bot.config import load_settings
    from bot.ui import serve

    port, offset_file = int(sys.argv[1]), Path(sys.argv[2])

    def clock() -> dt.datetime:
        days = float(offset_file.read_text()) if offset_file.exists() else 0.0
        return dt.datetime.now().astimezone() + dt.timedelta(days=days)

    serve(load_settings(), "127.0.0.1", port, clock=clock)


if __name__ == "__main__":
    main()
