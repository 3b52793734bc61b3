"""Fast "is the Hub reachable?" check: a short TCP connect instead of a 60 s HTTP hang."""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from hflab.settings import get_settings, hub_endpoint, hub_offline

_CACHE_TTL_S = 30.0
_cache: dict[str, tuple[float, HubStatus]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class HubStatus:
    """Where models would come from over the network, and whether that works right now."""

    endpoint: str
    is_mirror: bool
    offline_forced: bool
    reachable: bool
    detail: str

    @property
    def online(self) -> bool:
        """True when Hub downloads can be attempted."""
        return self.reachable and not self.offline_forced


def _tcp_reachable(url: str, timeout_s: float) -> tuple[bool, str]:
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True, f"{host}:{port}"
    except OSError as exc:
        return False, f"{host}:{port}: {type(exc).__name__}"


def hub_status(force: bool = False) -> HubStatus:
    """Check the Hub endpoint (HF_ENDPOINT or huggingface.co), cached for a few seconds."""
    endpoint = hub_endpoint()
    offline = hub_offline()
    key = f"{endpoint}|{offline}"
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit and not force and now - hit[0] < _CACHE_TTL_S:
            return hit[1]
    if offline:
        reachable, detail = False, "HF_HUB_OFFLINE=1"
    else:
        reachable, detail = _tcp_reachable(endpoint, get_settings().network_timeout_s)
    status = HubStatus(
        endpoint=endpoint,
        is_mirror=urlparse(endpoint).hostname != "huggingface.co",
        offline_forced=offline,
        reachable=reachable,
        detail=detail,
    )
    with _lock:
        _cache[key] = (now, status)
    return status
