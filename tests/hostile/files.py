"""Hostile sample files, built in memory at test time (no binaries in the repository)."""
from __future__ import annotations

import io
import random

from PIL import Image


def _save(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def photo(size=(64, 48), mode="RGB") -> Image.Image:
    """A small gradient image (not flat, so encoders behave as with photos)."""
    img = Image.linear_gradient("L").resize(size)
    return img.convert(mode) if mode != "L" else img


def truncated_jpeg() -> bytes:
    data = _save(photo((256, 256)), "JPEG")
    return data[: len(data) // 3]


def decompression_bomb() -> bytes:
    """A PNG whose header claims 40000 x 40000 pixels (1.6 G pixels) in a few hundred bytes."""
    return _save(Image.new("1", (40000, 40000)), "PNG", optimize=True)


def png_16bit() -> bytes:
    return _save(photo().convert("I;16"), "PNG")


def palette_png_transparent() -> bytes:
    img = photo().convert("P")
    return _save(img, "PNG", transparency=0)


def animated_gif() -> bytes:
    frames = [photo().point(lambda v, k=k: (v + 60 * k) % 256) for k in range(3)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def multipage_tiff() -> bytes:
    return _save(photo(), "TIFF", save_all=True, append_images=[photo((32, 32))])


def exif_rotated_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° CW to display
    return _save(photo((80, 40)), "JPEG", exif=exif)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def noise(n: int, seed: int) -> bytes:
    """`n` bytes that look random but are the same in every run (a failure can be replayed)."""
    return random.Random(seed).randbytes(n)


# an ISO-BMFF 'ftyp' box naming HEIC: what a phone photo starts with (Pillow cannot decode HEIC)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + noise(256, seed=1)

# name -> (file name, bytes factory, mime, expectation): "reject" must show a message, "accept" must not
IMAGES = {
    "truncated_jpeg": ("cut.jpg", truncated_jpeg, "image/jpeg", "reject"),
    "zero_bytes": ("empty.png", lambda: b"", "image/png", "reject"),
    "random_bytes_png": ("noise.png", lambda: noise(4096, seed=2), "image/png", "reject"),
    "decompression_bomb": ("bomb.png", decompression_bomb, "image/png", "reject"),
    "one_pixel": ("dot.png", lambda: _save(photo((1, 1)), "PNG"), "image/png", "any"),
    "100x20000": ("strip.png", lambda: _save(photo((100, 20000)), "PNG"), "image/png", "any"),
    "cmyk_jpeg": ("cmyk.jpg", lambda: _save(photo(mode="CMYK"), "JPEG"), "image/jpeg", "accept"),
    "png_16bit": ("deep.png", png_16bit, "image/png", "accept"),
    "palette_transparent": ("pal.png", palette_png_transparent, "image/png", "accept"),
    "animated_gif": ("anim.gif", animated_gif, "image/gif", "accept"),
    "multipage_tiff": ("pages.tif", multipage_tiff, "image/tiff", "any"),
    "exif_rotated": ("rot.jpg", exif_rotated_jpeg, "image/jpeg", "accept"),
    "svg": ("vector.svg", lambda: SVG, "image/svg+xml", "reject"),
    "heic": ("phone.heic", lambda: HEIC, "image/heic", "reject"),
}

HTML_PAYLOAD = '<img src=x onerror=alert(1)><script>alert(2)</script>'
MARKDOWN_PAYLOAD = "[click me](https://evil.example/x) ![pic](https://evil.example/p.png) <b>bold</b>"

# name -> (text, expectation)
TEXTS = {
    "empty": ("", "any"),
    "whitespace": ("  \n\t \u3000 ", "any"),
    "200k_chars": ("长" * 200_000, "reject"),
    "emoji_zwj": ("家庭👨‍👩‍👧‍👦 旗🏳️‍🌈 好评👍🏽", "any"),
    "rtl": ("مرحبا بالعالم שלום עולם abc", "any"),
    "u2028": ("第一行\u2028第二行\u2029第三段", "any"),
    "nul": ("前\x00后\x00", "any"),
    "html_script": (HTML_PAYLOAD, "any"),
    "markdown_links": (MARKDOWN_PAYLOAD, "any"),
}


def gbk_csv() -> bytes:
    return "text,label\n这个酒店很好,1\n太差了,0\n".encode("gbk")


# name -> (file name, bytes factory, expectation)
DATA_FILES = {
    "not_utf8": ("gbk.csv", gbk_csv, "any"),
    "wrong_columns": ("cols.csv", lambda: b"foo,bar\n1,2\n3,4\n", "reject"),
    "empty": ("empty.csv", lambda: b"", "reject"),
    "huge_cell": ("huge.csv", lambda: ("text,label\n" + "好" * 300_000 + ",1\n").encode(), "any"),
    "pos_neg_labels": ("words.csv", lambda: "text,label\n很好,pos\n很差,neg\n不错,pos\n".encode(), "any"),
}
