"""Opening user images: real photos and odd formats from ../shared/images, and every bad input gets its message."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageOps

from hflab.i18n import t
from hflab.story import images
from hflab.story.images import ImageProblem, open_image


def _png(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kw)
    return buf.getvalue()


def _problem(data: bytes) -> ImageProblem:
    with pytest.raises(ImageProblem) as info:
        open_image(data, "x")
    return info.value


@pytest.mark.parametrize("name", ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "camera.png",
                                  "chessboard_GRAY.png"])
def test_real_images_open_as_rgb(shared_images, name):
    data = (shared_images / name).read_bytes()
    prepared = open_image(data, name)
    expected = Image.open(io.BytesIO(data)).convert("RGB")
    expected.thumbnail((images.MAX_SIDE, images.MAX_SIDE))
    assert prepared.image.mode == "RGB"
    assert np.array_equal(np.asarray(prepared.image), np.asarray(expected))


def test_animated_gif_uses_first_frame(shared_images):
    data = (shared_images / "no_time_for_that_tiny.gif").read_bytes()
    prepared = open_image(data)
    oracle = Image.open(io.BytesIO(data))
    oracle.seek(0)
    assert np.array_equal(np.asarray(prepared.image), np.asarray(oracle.convert("RGB")))
    assert ("image_story.note.first_frame", {"frames": oracle.n_frames}) in prepared.notes


def test_exif_orientation_is_applied():
    base = Image.fromarray(np.arange(40 * 20 * 3, dtype=np.uint8).reshape(20, 40, 3))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buf = io.BytesIO()
    base.save(buf, format="JPEG", exif=exif.tobytes(), quality=95)
    prepared = open_image(buf.getvalue())
    oracle = ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue())))
    assert prepared.image.size == (20, 40) == oracle.size
    assert np.array_equal(np.asarray(prepared.image), np.asarray(oracle.convert("RGB")))
    assert ("image_story.note.exif", {}) in prepared.notes


def test_cmyk_jpeg_becomes_rgb():
    buf = io.BytesIO()
    Image.new("CMYK", (32, 32), (0, 255, 255, 0)).save(buf, format="JPEG")
    prepared = open_image(buf.getvalue())
    assert prepared.source_mode == "CMYK" and prepared.image.mode == "RGB"
    r, g, b = prepared.image.getpixel((16, 16))
    assert r > 200 and g < 60 and b < 60  # cyan/magenta/yellow 0/255/255 is red
    assert ("image_story.note.cmyk", {}) in prepared.notes


def test_16bit_png_is_scaled_not_clipped():
    arr = np.array([[0, 32896, 65535]], dtype=np.uint16).repeat(8, axis=0)
    data = _png(Image.fromarray(arr))
    prepared = open_image(data)
    assert prepared.source_mode.startswith("I")
    assert [prepared.image.getpixel((x, 0))[0] for x in range(3)] == [0, 128, 255]


def test_palette_with_alpha_goes_on_white():
    img = Image.new("P", (8, 8), 0)
    img.putpalette([255, 0, 0] + [0, 0, 255] * 255)
    img.info["transparency"] = 0
    prepared = open_image(_png(img, transparency=0))
    assert prepared.image.getpixel((0, 0)) == (255, 255, 255)
    assert ("image_story.note.alpha", {}) in prepared.notes


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (Pillow refuses it at open)."""
    data = bytearray(_png(Image.new("1", (1, 1))))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _bad_inputs(shared_images):
    chelsea = (shared_images / "chelsea.png").read_bytes()
    tiff = io.BytesIO()
    Image.new("RGB", (8, 8)).save(tiff, format="TIFF")
    return {
        "image_story.bad.empty": b"",
        "image_story.bad.corrupt": chelsea[: len(chelsea) // 2],  # truncated
        "image_story.bad.unidentified": b"this is not an image at all" * 10,
        "image_story.bad.format": tiff.getvalue(),
        "image_story.bad.bomb": _bomb_png(30000, 30000),
        "image_story.bad.aspect": _png(Image.new("L", (100, 20000))),
    }


def test_every_bad_input_gets_its_message(shared_images):
    for key, data in _bad_inputs(shared_images).items():
        problem = _problem(data)
        assert problem.key == key
        for lang in ("zh", "en"):
            assert t(key, lang, **problem.params) != key


def test_bomb_between_one_and_two_times_the_limit_is_refused_too():
    # Pillow only warns here; on a shared server the warning is treated as an error
    side = int((Image.MAX_IMAGE_PIXELS * 1.5) ** 0.5)
    assert _problem(_bomb_png(side, side)).key == "image_story.bad.bomb"


def test_oversized_upload_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    assert _problem(b"x" * 101).key == "image_story.bad.too_big"


def test_multipage_tiff_from_shared_is_refused_with_a_message(shared_images):
    assert _problem((shared_images / "multipage_rgb.tif").read_bytes()).key in (
        "image_story.bad.format", "image_story.bad.unidentified")
