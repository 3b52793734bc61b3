"""English captions with BLIP through BlipProcessor + generate (transformers 5 has no image-to-text pipeline)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from hflab.byte_pieces import control_chars
from hflab.messages import Message

MAX_CAPTION_CHARS = 300  # longer "captions" are pasted stories: they would swamp the story prompt


@dataclass(frozen=True)
class CaptionSettings:
    """Beam search settings exposed on the page; `repetition_penalty=None` passes none (the tutorial's call)."""

    num_beams: int = 3
    max_length: int = 30
    repetition_penalty: float | None = 1.2

    def generate_kwargs(self) -> dict:
        """The keyword arguments for BLIP's `generate` besides the image."""
        kwargs = {"num_beams": self.num_beams, "max_length": self.max_length}
        if self.repetition_penalty is not None:
            kwargs["repetition_penalty"] = self.repetition_penalty
        return {**kwargs, "do_sample": False}

    def as_dict(self) -> dict:
        """Plain dict (for params.json)."""
        return asdict(self)


def generate_caption(model, processor, image, settings: CaptionSettings) -> str:
    """One English caption for a PIL RGB image. Callers hold the model's lock."""
    import torch

    inputs = processor(images=image, return_tensors="pt").to(model.device)
    with torch.inference_mode():
        out = model.generate(**inputs, **settings.generate_kwargs())
    return processor.decode(out[0], skip_special_tokens=True).strip()


def caption_controls(text: str) -> Message | None:
    """The warning naming the control characters of `text` (NUL and the like, at most 5), which reach the model as
    typed; None when there are none."""
    found = sorted(set(control_chars(text or "")))
    if not found:
        return None
    return Message("image_story.caption_controls", {"chars": ", ".join(f"U+{ord(c):04X}" for c in found[:5])},
                   "warning")


def check_caption(text: str, max_chars: int = MAX_CAPTION_CHARS) -> Message | None:
    """None if `text` is a usable caption, else the warning that says what is wrong with it."""
    stripped = (text or "").strip()
    if not stripped:
        return Message("image_story.bad.caption_empty", level="warning")
    if len(stripped) > max_chars:
        return Message("image_story.bad.caption_long", {"length": len(stripped), "limit": max_chars}, "warning")
    return None
