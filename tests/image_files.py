"""Images for the story tests, built in code (no ../shared needed): photos of each kind, and every bad input."""
from __future__ import annotations

import io
import struct
import zlib

from hostile.files import photo
from PIL import Image


def encode(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    """`img` saved in `fmt` as bytes."""
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def chessboard(size: int = 64, square: int = 8) -> Image.Image:
    """A grey-level chessboard (mode L), like skimage's chessboard_GRAY."""
    img = Image.new("L", (size, size), 0)
    for y in range(0, size, square):
        for x in range((y // square % 2) * square, size, 2 * square):
            img.paste(255, (x, y, x + square, y + square))
    return img


def colour_photo(size=(320, 240)) -> Image.Image:
    """An RGB image with detail in every channel (gradients at three angles)."""
    r = Image.linear_gradient("L").resize(size)
    g = Image.linear_gradient("L").rotate(90).resize(size)
    b = Image.radial_gradient("L").resize(size)
    return Image.merge("RGB", (r, g, b))


# name -> bytes of images that open: the kinds of picture a learner uploads
GOOD_IMAGES = {
    "photo.png": lambda: encode(colour_photo()),
    "photo.jpg": lambda: encode(colour_photo(), "JPEG", quality=90),
    "large.png": lambda: encode(colour_photo((1600, 1200))),  # scaled down to MAX_SIDE
    "palette.png": lambda: encode(colour_photo().convert("P")),
    "gray.jpg": lambda: encode(photo((200, 150), "L"), "JPEG"),
    "chessboard_GRAY.png": lambda: encode(chessboard()),
}


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (Pillow refuses it at open)."""
    data = bytearray(encode(Image.new("1", (1, 1))))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def bad_images() -> dict[str, bytes]:
    """Catalog key -> an input that must get exactly that message."""
    whole = encode(colour_photo())
    return {
        "image_story.bad.empty": b"",
        "image_story.bad.corrupt": whole[: len(whole) // 2],  # truncated
        "image_story.bad.unidentified": b"this is not an image at all" * 10,
        "image_story.bad.format": encode(Image.new("RGB", (8, 8)), "TIFF"),
        "image_story.bad.bomb": bomb_png(30000, 30000),
        "image_story.bad.aspect": encode(Image.new("L", (100, 20000))),
    }
