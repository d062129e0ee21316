"""Medical image segmentation for medbot: load -> guard -> segment -> measure -> export.

Public entry points (imported lazily so that `import vision_tools` stays light):

- `vision_tools.io.load_image(path) -> Volume`
- `vision_tools.registry.get_segmenter(name_or_path) -> Segmenter`
- `vision_tools.pipeline.segment_file(path, options) -> SegmentationReport`
"""

from __future__ import annotations

__all__ = ["Volume", "Segmentation", "load_image", "get_segmenter", "segment_file"]


def __getattr__(name: str):
    if name == "Volume":
        from vision_tools.volume import Volume

        return Volume
    if name == "Segmentation":
        from vision_tools.segmenters.base import Segmentation

        return Segmentation
    if name == "load_image":
        from vision_tools.io import load_image

        return load_image
    if name == "get_segmenter":
        from vision_tools.registry import get_segmenter

        return get_segmenter
    if name == "segment_file":
        from vision_tools.pipeline import segment_file

        return segment_file
    raise AttributeError(name)
