"""A model's licence, read from its model card metadata (README.md front matter) or config, and the
plain-language class it belongs to. No licence found is reported as a risk, never as "free to use".
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hflab.loading import offline_assets
from hflab.loading.files import read_json
from hflab.loading.sources import Source

# Hub licence ids (https://huggingface.co/docs/hub/repositories-licenses) -> plain-language class
_CLASSES = {
    "permissive": (
        "apache-2.0",
        "mit",
        "bsd",
        "bsd-2-clause",
        "bsd-3-clause",
        "bsd-3-clause-clear",
        "isc",
        "zlib",
        "unlicense",
        "cc0-1.0",
        "cc-by-2.0",
        "cc-by-2.5",
        "cc-by-3.0",
        "cc-by-4.0",
        "afl-3.0",
        "artistic-2.0",
        "bsl-1.0",
        "ecl-2.0",
        "ms-pl",
        "ncsa",
        "postgresql",
        "pddl",
        "odc-by",
        "wtfpl",
        "openrail-permissive",
    ),
    "copyleft": (
        "gpl",
        "gpl-2.0",
        "gpl-3.0",
        "agpl-3.0",
        "lgpl",
        "lgpl-2.1",
        "lgpl-3.0",
        "lgpl-lr",
        "mpl-2.0",
        "epl-1.0",
        "epl-2.0",
        "eupl-1.1",
        "eupl-1.2",
        "osl-3.0",
        "cc-by-sa-3.0",
        "cc-by-sa-4.0",
        "odbl",
        "cdla-sharing-1.0",
        "gfdl",
        "lppl-1.3c",
    ),
    "non_commercial": (
        "cc-by-nc-2.0",
        "cc-by-nc-3.0",
        "cc-by-nc-4.0",
        "cc-by-nc-nd-3.0",
        "cc-by-nc-nd-4.0",
        "cc-by-nc-sa-2.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nc-sa-4.0",
        "cc-by-nd-4.0",
        "apple-ascl",
        "deepfloyd-if-license",
        "fair-noncommercial-research-license",
    ),
    "openrail": (
        "openrail",
        "openrail++",
        "creativeml-openrail-m",
        "bigscience-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
    ),
}
CLASS_OF = {licence: klass for klass, ids in _CLASSES.items() for licence in ids}
CLASSES = ("permissive", "copyleft", "non_commercial", "openrail", "custom", "unknown")


@dataclass(frozen=True)
class Licence:
    """A licence id as the model declares it, where it was found, and its plain-language class."""

    licence_id: str  # "" when none was found
    found_in: str  # model_card | config | packaged | hub | none
    klass: str  # one of CLASSES
    name: str = ""  # for "other" licences: the card's license_name
    link: str = ""  # for "other" licences: the card's license_link

    @property
    def is_risk(self) -> bool:
        """Unknown or custom terms: read them before shipping anything."""
        return self.klass in ("unknown", "custom")


def licence_kind(licence_id: str) -> str:
    """Plain-language class of a Hub licence id; anything not known as standard is 'custom'."""
    key = (licence_id or "").strip().lower()
    if not key:
        return "unknown"
    if key in CLASS_OF:
        return CLASS_OF[key]
    if key.startswith("cc-by-nc"):
        return "non_commercial"
    if "openrail" in key or key.endswith("-rail"):
        return "openrail"
    return "custom"  # llama2/3, gemma, other, ... : model-specific terms


def _make(value, found_in: str, name: str = "", link: str = "") -> Licence | None:
    if isinstance(value, list):
        value = value[0] if value else ""
    value = str(value or "").strip()
    return Licence(value, found_in, licence_kind(value), str(name or ""), str(link or "")) if value else None


def from_card_metadata(readme: Path) -> Licence | None:
    """The licence of a model card's YAML front matter (README.md), if it declares one."""
    from huggingface_hub.repocard import metadata_load

    try:
        meta = metadata_load(readme) or {}
    except Exception:  # a malformed card is "no metadata", not a crash
        return None
    return _make(meta.get("license"), "model_card", meta.get("license_name", ""), meta.get("license_link", ""))


def read_local(target: str | Path) -> Licence:
    """The licence of a local model dir: model card, then config.json, then the lab's packaged-asset note."""
    root = Path(target)
    if (root / "README.md").is_file():
        found = from_card_metadata(root / "README.md")
        if found:
            return found
    for name, found_in in (("config.json", "config"), ("hflab_asset.json", "packaged")):
        try:
            data = read_json(root / name)
        except (OSError, ValueError):  # missing, malformed or past the JSON limits: no licence from this file
            continue
        found = _make(data.get("license"), found_in) if isinstance(data, dict) else None
        if found:
            return found
    return Licence("", "none", "unknown")


def read_source(source: Source) -> Licence:
    """The licence of a local source; the packaged offline model's (its card's, noted by the lab) also before its
    one-time conversion has written the folder that notes it."""
    if source.needs_conversion:
        return _make(offline_assets.SMOLLM2_LICENSE, "packaged") or Licence("", "none", "unknown")
    return read_local(source.target or "")


def read_hub(repo_id: str, token: str | bool | None = None) -> Licence:
    """The licence the Hub (or mirror) lists in the repo's card metadata; raises the Hub's errors."""
    from huggingface_hub import HfApi

    info = HfApi(token=token).model_info(repo_id)
    card = info.card_data
    if card is not None:
        found = _make(card.get("license"), "hub", card.get("license_name", ""), card.get("license_link", ""))
        if found:
            return found
    return Licence("", "none", "unknown")
