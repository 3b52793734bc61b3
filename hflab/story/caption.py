"""English captions with BLIP through BlipProcessor + generate (transformers 5 has no image-to-text pipeline)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from hflab.messages import Message

MAX_CAPTION_CHARS = 300  # longer "captions" are pasted stories: they would swamp the story prompt


@dataclass(frozen=True)
class CaptionSettings:
    """Beam search settings exposed on the page."""

    num_beams: int = 3
    max_length: int = 30
    repetition_penalty: float = 1.2

    def as_dict(self) -> dict:
        """Plain dict (for params.json)."""
        return asdict(self)


def generate_caption(model, processor, image, settings: CaptionSettings) -> str:
    """One English caption for a PIL RGB image. Callers hold the model's lock."""
    import torch

    inputs = processor(images=image, return_tensors="pt").to(model.device)
    with torch.inference_mode():
        out = model.generate(**inputs, num_beams=settings.num_beams, max_length=settings.max_length,
                             repetition_penalty=settings.repetition_penalty, do_sample=False)
    return processor.decode(out[0], skip_special_tokens=True).strip()


def check_caption(text: str, max_chars: int = MAX_CAPTION_CHARS) -> Message | None:
    """None if `text` is a usable caption, else the warning that says what is wrong with it."""
    stripped = (text or "").strip()
    if not stripped:
        return Message("image_story.bad.caption_empty", level="warning")
    if len(stripped) > max_chars:
        return Message("image_story.bad.caption_long", {"length": len(stripped), "limit": max_chars}, "warning")
    return None
