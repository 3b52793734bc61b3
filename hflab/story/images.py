"""Opening user images safely: every way an upload can be bad becomes an `ImageProblem` with a catalog key.

Handles EXIF orientation, the first frame of animated GIFs, CMYK / 16-bit / palette-with-alpha
conversion to RGB, Pillow's decompression-bomb limit (its warning is treated as an error too),
byte and pixel limits and extreme aspect ratios.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

from hflab.messages import MessageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "MPO")  # MPO: multi-picture JPEGs from phone cameras
MAX_BYTES = 20 * 2**20
MAX_ASPECT = 10.0  # BLIP squashes every image to a square: beyond 10:1 the caption is meaningless
MAX_SIDE = 1024  # the kept copy (preview, bundle); BLIP itself works at 384 px


class ImageProblem(MessageError):
    """A user image that cannot be used; its `message` says why in the catalog's words."""


@dataclass
class PreparedImage:
    """An RGB image ready for captioning, plus what was done to it (i18n keys of notes)."""

    image: object  # PIL.Image.Image, RGB
    name: str
    source_format: str
    source_mode: str
    source_size: tuple[int, int]
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def png_bytes(self) -> bytes:
        """The prepared image as PNG (for the bundle)."""
        buf = io.BytesIO()
        self.image.save(buf, format="PNG")
        return buf.getvalue()


def _to_rgb(img, notes: list[tuple[str, dict]]):
    """Convert any Pillow mode to 8-bit RGB, compositing transparency onto white."""
    from PIL import Image

    mode = img.mode
    if mode == "RGB":
        return img
    if mode.startswith("I;16") or mode in ("I", "F"):
        import numpy as np

        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        img = Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8), mode="L")
        notes.append(("image_story.note.16bit", {}))
        return img.convert("RGB")
    if mode == "CMYK":
        notes.append(("image_story.note.cmyk", {}))
        return img.convert("RGB")
    if mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if mode in ("PA", "LA", "RGBA", "La", "RGBa") or img.mode == "RGBA":
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        notes.append(("image_story.note.alpha", {}))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def open_image(data: bytes, name: str = "image") -> PreparedImage:
    """Decode `data` into a `PreparedImage` or raise `ImageProblem`; never a bare Pillow exception."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise ImageProblem("image_story.bad.empty")
    if len(data) > MAX_BYTES:
        raise ImageProblem("image_story.bad.too_big", mb=round(len(data) / 2**20, 1), limit=MAX_BYTES // 2**20)
    notes: list[tuple[str, dict]] = []
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its pixel limit; a shared server should refuse both
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt, mode, size = img.format or "?", img.mode, img.size
            if fmt not in ALLOWED_FORMATS:
                raise ImageProblem("image_story.bad.format", format=fmt, allowed=", ".join(ALLOWED_FORMATS[:4]))
            width, height = size
            if min(width, height) < 1 or max(width, height) / min(width, height) > MAX_ASPECT:
                raise ImageProblem("image_story.bad.aspect", width=width, height=height, ratio=int(MAX_ASPECT))
            frames = getattr(img, "n_frames", 1)
            if frames > 1:
                img.seek(0)
                notes.append(("image_story.note.first_frame", {"frames": frames}))
            img.load()
            if img.getexif().get(0x0112, 1) != 1:  # EXIF Orientation: phones store sideways pixels plus this tag
                img = ImageOps.exif_transpose(img)
                notes.append(("image_story.note.exif", {}))
            rgb = _to_rgb(img, notes)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem("image_story.bad.bomb", limit=Image.MAX_IMAGE_PIXELS // 1_000_000) from None
    except UnidentifiedImageError:
        raise ImageProblem("image_story.bad.unidentified") from None
    except ImageProblem:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt data inside a known format
        raise ImageProblem("image_story.bad.corrupt", error=type(exc).__name__) from None
    if max(rgb.size) > MAX_SIDE:
        rgb = rgb.copy()
        rgb.thumbnail((MAX_SIDE, MAX_SIDE))
        notes.append(("image_story.note.resized", {"width": rgb.width, "height": rgb.height}))
    return PreparedImage(rgb, name, fmt, mode, size, notes)
