"""Example pictures drawn in code for the tutorial's examples whose photos the lab cannot ship.

The tutorial's `gr.Examples` use its own photos (放风筝 fangfengzheng.jpeg, 结婚 jiehun.jpg), which it does not
publish. These simple drawings stand in for them: a kite in a blue sky over a meadow, two wedding rings under a
heart. Drawn the same way every time (no randomness), returned as JPEG bytes like the shipped examples.
"""
from __future__ import annotations

import io

SIZE = (480, 360)


def _kite(draw) -> None:
    width, height = SIZE
    for y in range(height):  # sky: lighter towards the horizon
        shade = int(150 + 80 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade - 60, shade - 10, 255))
    draw.rectangle([0, int(height * 0.75), width, height], fill=(70, 160, 60))  # meadow
    draw.ellipse([380, 30, 440, 90], fill=(255, 220, 60))  # sun
    top, right, bottom, left = (250, 50), (310, 120), (250, 210), (190, 120)
    draw.polygon([top, right, bottom, left], fill=(230, 40, 40), outline=(120, 0, 0))
    draw.line([top, bottom], fill=(120, 0, 0), width=3)
    draw.line([left, right], fill=(120, 0, 0), width=3)
    tail = [(250, 210), (240, 235), (255, 260), (240, 285)]
    draw.line(tail, fill=(40, 40, 40), width=2)
    for x, y in tail[1:]:  # bows on the tail
        draw.polygon([(x - 8, y - 5), (x + 8, y + 5), (x + 8, y - 5), (x - 8, y + 5)], fill=(255, 200, 0))
    draw.line([(250, 210), (120, 330)], fill=(60, 60, 60), width=2)  # the string down to the meadow
    draw.ellipse([108, 300, 132, 324], fill=(250, 210, 180))  # the flyer's head
    draw.rectangle([112, 324, 128, 360], fill=(40, 90, 200))


def _rings(draw) -> None:
    width, height = SIZE
    draw.rectangle([0, 0, width, height], fill=(252, 232, 238))
    heart = [(240, 150), (170, 80), (200, 40), (240, 65), (280, 40), (310, 80)]
    draw.polygon(heart, fill=(230, 80, 110))
    for cx in (205, 275):  # two interlocking gold rings
        draw.ellipse([cx - 55, 170, cx + 55, 280], outline=(200, 160, 40), width=12)
    draw.polygon([(205, 150), (220, 170), (190, 170)], fill=(200, 230, 255), outline=(120, 150, 200))  # a stone


DRAWINGS = {"kite": _kite, "rings": _rings}


def drawn_example(name: str) -> bytes:
    """The drawing `name` ("kite" or "rings") as JPEG bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", SIZE, "white")
    DRAWINGS[name](ImageDraw.Draw(image))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()
