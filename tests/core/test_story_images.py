"""Opening user images: photos and odd formats built in code, and every bad input gets its message."""
import io

import numpy as np
import pytest
from hostile.files import animated_gif, multipage_tiff
from image_files import GOOD_IMAGES, bad_images, bomb_png, encode
from PIL import Image, ImageOps

from hflab.i18n import t
from hflab.story import images
from hflab.story.images import ImageProblem, open_image


def _problem(data: bytes) -> ImageProblem:
    with pytest.raises(ImageProblem) as info:
        open_image(data, "x")
    return info.value


@pytest.mark.parametrize("name", list(GOOD_IMAGES))
def test_photos_open_as_rgb(name):
    data = GOOD_IMAGES[name]()
    prepared = open_image(data, name)
    expected = Image.open(io.BytesIO(data)).convert("RGB")
    expected.thumbnail((images.MAX_SIDE, images.MAX_SIDE))
    assert prepared.image.mode == "RGB"
    assert np.array_equal(np.asarray(prepared.image), np.asarray(expected))


def test_animated_gif_uses_first_frame():
    data = animated_gif()
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
    data = encode(Image.fromarray(arr))
    prepared = open_image(data)
    assert prepared.source_mode.startswith("I")
    assert [prepared.image.getpixel((x, 0))[0] for x in range(3)] == [0, 128, 255]


def test_palette_with_alpha_goes_on_white():
    img = Image.new("P", (8, 8), 0)
    img.putpalette([255, 0, 0] + [0, 0, 255] * 255)
    img.info["transparency"] = 0
    prepared = open_image(encode(img, transparency=0))
    assert prepared.image.getpixel((0, 0)) == (255, 255, 255)
    assert ("image_story.note.alpha", {}) in prepared.notes


def test_every_bad_input_gets_its_message():
    for key, data in bad_images().items():
        problem = _problem(data)
        assert problem.key == key
        for lang in ("zh", "en"):
            assert t(key, lang, **problem.params) != key


def test_bomb_between_one_and_two_times_the_limit_is_refused_too():
    # Pillow only warns here; on a shared server the warning is treated as an error
    side = int((Image.MAX_IMAGE_PIXELS * 1.5) ** 0.5)
    assert _problem(bomb_png(side, side)).key == "image_story.bad.bomb"


def test_oversized_upload_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    assert _problem(b"x" * 101).key == "image_story.bad.too_big"


def test_multipage_tiff_is_refused_with_a_message():
    assert _problem(multipage_tiff()).key in (
        "image_story.bad.format", "image_story.bad.unidentified")
