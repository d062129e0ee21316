"""Embedders and their factory. The default is all-MiniLM-L6-v2 as int8 ONNX (no torch)."""

from __future__ import annotations

from pathlib import Path

from retrieval.embedders.base import Embedder

#: `retrieval.embedder` values with a fixed meaning (anything else is a model folder or .onnx file).
DEFAULT = "minilm-int8"
TORCH = "minilm-torch"


def make_embedder(spec: str | None = None, threads: int | None = None) -> Embedder:
    """The embedder named by the `retrieval.embedder` setting.

    Args:
        spec: None or "minilm-int8" = bundled all-MiniLM-L6-v2 as int8 ONNX on onnxruntime;
            "minilm-torch" = the same model in fp32 on torch (sentence-transformers); a `.onnx`
            file (MiniLM-style, bundled tokenizer); or a sentence-transformers model folder.
        threads: CPU threads for batch embedding.

    Raises:
        UserError: the file/folder does not exist or is not a model.
    """
    if spec in (None, "", DEFAULT):
        from retrieval.embedders.onnx_minilm import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(threads=threads)
    if str(spec).endswith(".onnx"):
        from retrieval.embedders.onnx_minilm import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(Path(spec), threads=threads)
    from retrieval.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(None if spec == TORCH else spec, threads=threads)


__all__ = ["DEFAULT", "TORCH", "Embedder", "make_embedder"]
