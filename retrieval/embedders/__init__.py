"""Embedders and their factory.

The default is the bundled all-MiniLM-L6-v2 without torch: in bf16 on OpenVINO where the CPU
has bf16 instructions (AMX, AVX-512 BF16), else as a fused int8 graph on onnxruntime.
"""

from __future__ import annotations

from pathlib import Path

from retrieval.embedders.base import Embedder

#: `retrieval.embedder` values with a fixed meaning (anything else is a model folder or .onnx file).
DEFAULT = "minilm"
INT8 = "minilm-int8"
BF16 = "minilm-bf16"
TORCH = "minilm-torch"
BUNDLED = (DEFAULT, INT8, BF16, TORCH)


def default_kind() -> str:
    """What `DEFAULT` means on this machine: `BF16` when OpenVINO can run bf16 here, else `INT8`."""
    from retrieval.embedders.openvino_minilm import available

    return BF16 if available() else INT8


def make_embedder(spec: str | None = None, threads: int | None = None) -> Embedder:
    """The embedder named by the `retrieval.embedder` setting.

    Args:
        spec: None or "minilm" = the bundled all-MiniLM-L6-v2, bf16 on OpenVINO where the CPU has
            bf16, else int8 on onnxruntime; "minilm-bf16" / "minilm-int8" = one of those two;
            "minilm-torch" = fp32 on torch (sentence-transformers); a `.onnx` file (MiniLM-style,
            bundled tokenizer); or a sentence-transformers model folder.
        threads: CPU threads for batch embedding.

    Raises:
        UserError: the file/folder does not exist or is not a model, or bf16 is not available.
    """
    if spec in (None, "", DEFAULT):
        spec = default_kind()
    if spec == BF16:
        from retrieval.embedders.openvino_minilm import OpenVinoMiniLMEmbedder

        return OpenVinoMiniLMEmbedder(threads=threads)
    if spec == INT8:
        from retrieval.embedders.onnx_minilm import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(threads=threads)
    if str(spec).endswith(".onnx"):
        from retrieval.embedders.onnx_minilm import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(Path(spec), threads=threads)
    from retrieval.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(None if spec == TORCH else spec, threads=threads)


__all__ = ["BF16", "BUNDLED", "DEFAULT", "INT8", "TORCH", "Embedder", "default_kind", "make_embedder"]
