"""Rebuild a home's vector store: drop every vector, keep catalogs and BM25, re-embed everything.

The repair for a corrupt or foreign store folder and for a change of embedder. Chunks are kept
as they are (they were sized for the old embedder's token limit; a model with a shorter limit
truncates them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from retrieval.errors import UserError


def rebuild_home(settings, start: bool = True) -> list[str]:
    """Drop the home's vectors and mark every chunk of every collection for re-embedding.

    Args:
        settings: an `IndexConfig`, or application settings `IndexConfig.coerce` accepts.
        start: start the background fill afterwards.

    Returns:
        The collections that will be re-embedded.

    Raises:
        UserError: another process holds the store folder in embedded mode.
    """
    from retrieval.catalog import Catalog
    from retrieval.chroma_server import OwnerLock, stop_server
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import home_collections, start_background_fill, stop_fill
    from retrieval.embedders import make_embedder

    cfg = IndexConfig.coerce(settings)
    base = Path(cfg.home) / "literature"
    embedder = make_embedder(cfg.embedder, threads=cfg.threads)
    record = json.dumps({"name": embedder.name, "config": embedder.config()}, sort_keys=True)
    stop_fill(cfg.home)
    names = home_collections(cfg.home)
    if cfg.chroma_url:
        from retrieval.store import make_client

        client = make_client(url=cfg.chroma_url)
        for name in names:
            try:
                client.delete_collection(name)
            except Exception:  # noqa: BLE001 - missing collection
                pass
    else:
        folder = base / "chroma"
        stop_server(folder)
        owner = OwnerLock(folder)
        if folder.exists() and not owner.acquire():
            raise UserError(f"the vector store {folder} is open in another process: close it, then run "
                            "`medbot index rebuild` again")
        try:
            if folder.exists():
                shutil.rmtree(folder)
        except OSError as exc:
            raise UserError(f"cannot remove {folder}: {exc.strerror}; remove it by hand, then run "
                            "`medbot index rebuild` again") from None
        finally:
            owner.release()
    for name in names:
        root = base / "local" / name
        cat = Catalog(root / "catalog.sqlite3")
        try:
            cat.set_meta("embedder", record)
            cat.set_embedded_exactly(set())
        finally:
            cat.close()
        (root / "fill_status.json").unlink(missing_ok=True)
    if start and names:
        start_background_fill(cfg)
    return names
