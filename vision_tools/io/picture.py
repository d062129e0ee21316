"""PNG/JPEG pictures (Pillow): 2D images with unknown physical spacing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision_tools.errors import UserError
from vision_tools.volume import Volume


def read_picture(path: Path) -> Volume:
    """Read a PNG or JPEG into a 2D Volume (X=width, Y=height, Z=1); colour kept as channels.

    Raises:
        UserError: unreadable or corrupt picture.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            if mode in ("P", "PA", "LA", "RGBA", "CMYK", "YCbCr", "1"):
                img = img.convert("RGB" if mode != "LA" and mode != "1" else "L")
            arr = np.asarray(img, dtype=np.float32)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UserError(f"{path.name}: corrupt or unreadable picture ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if arr.ndim == 2:
        vol = arr.T[:, :, None]
    else:
        vol = np.transpose(arr, (1, 0, 2))[:, :, None, :]
    meta = {"format": "picture", "path": str(path), "mode": mode, "spacing": "unknown (1 mm assumed)"}
    return Volume(vol, np.eye(4), modality="PHOTO", source=meta, is_2d=True)
