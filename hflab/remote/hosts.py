"""Which hosts a user-typed remote server URL may reach (server-side request forgery guard).

A shared deployment must not let a visitor make the server call internal services: a typed URL's host
is resolved and every address it resolves to is checked (again for every redirect, by the HTTP
client's request hook). Allowed: hosts or networks the operator lists in HFLAB_REMOTE_ALLOWED_HOSTS,
the operator's own configured server, loopback only when the app itself listens on loopback (a
personal install talking to its own llama.cpp / vLLM), and public addresses. Refused: private,
link-local (cloud metadata), reserved, multicast and unspecified addresses, unless listed.
"""
from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

from hflab.messages import MessageError

ENV_ALLOWED_HOSTS = "HFLAB_REMOTE_ALLOWED_HOSTS"
# metadata services answer on these even where they are not in a link-local range
METADATA_ADDRESSES = frozenset({"169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class HostRefused(MessageError):
    """A typed URL whose host the operator does not allow; the message names that host only."""


@dataclass(frozen=True)
class HostPolicy:
    """What typed URLs may reach: listed names / addresses / networks, the operator's host, loopback or not."""

    listed: tuple[str, ...] = ()
    operator_host: str = ""
    allow_loopback: bool = False

    def check_url(self, url: str) -> None:
        """Raise HostRefused unless every address the URL's host resolves to is allowed."""
        parsed = urlparse(url)
        host = (parsed.hostname or "").lower()
        if not host:
            raise HostRefused("remote.error.host_refused", host=url[:80])
        if host in self.listed or (self.operator_host and host == self.operator_host):
            return
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        for address in resolve_host(host, port):
            if not self.address_allowed(address):
                raise HostRefused("remote.error.host_refused", host=host)

    def address_allowed(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        """Is one resolved address allowed by this policy?"""
        if str(address) in self.listed or any(address in net for net in _networks(self.listed)):
            return True
        if address.is_loopback:
            return self.allow_loopback
        if str(address) in METADATA_ADDRESSES:
            return False
        return not (address.is_private or address.is_link_local or address.is_reserved or address.is_multicast
                    or address.is_unspecified)


def resolve_host(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address `host` resolves to (a literal IP resolves to itself); unresolvable -> HostRefused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise HostRefused("remote.error.host_unresolved", host=host) from None
    # IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    return [getattr(a, "ipv4_mapped", None) or a for a in addresses]


def _networks(listed: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    nets = []
    for item in listed:
        if "/" in item:
            try:
                nets.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue  # a malformed entry allows nothing
    return nets


def policy_from_env(operator_url: str, app_on_loopback: bool) -> HostPolicy:
    """The operator's policy: HFLAB_REMOTE_ALLOWED_HOSTS (comma-separated names, IPs, CIDRs), their server."""
    listed = tuple(item.strip().lower().strip("[]") for item in os.environ.get(ENV_ALLOWED_HOSTS, "").split(",")
                   if item.strip())
    operator_host = (urlparse(operator_url).hostname or "").lower() if operator_url else ""
    return HostPolicy(listed, operator_host, app_on_loopback)


def is_loopback_address(address: str | None) -> bool:
    """Is the address a server listens on a loopback one (so only this machine can reach the app)?"""
    if not address:
        return False
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False
