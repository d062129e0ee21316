"""Ingest worker for the kill -9 test: `python kill_worker.py HOME COLLECTION DELAY [CHROMA_URL] -- PATHS...`.

Runs the real ingest pipeline (catalog, BM25, dense fill into Chroma) with a slow fake embedder,
in small blocks, so that a kill lands in the middle of it.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval_fakes import FakeEmbedder  # noqa: E402


def main() -> None:
    from bot.config import load_settings
    from retrieval.dense_fill import fill_dense
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    home, collection, delay, url = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    paths = [Path(p) for p in sys.argv[sys.argv.index("--") + 1:]]
    retrieval = {"collection": collection, "auto_build": False, "auto_fill": False}
    if url != "-":
        retrieval["chroma_url"] = url
    settings = load_settings({"retrieval": retrieval}, environ={"MEDBOT_HOME": home})
    index = LiteratureIndex(settings, FakeEmbedder(delay=delay))
    ingest_lexical(index, paths)
    fill_dense(index, block=8)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
