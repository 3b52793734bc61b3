"""Which hosts a user-typed remote server URL may reach (server-side request forgery guard).

A shared deployment must not let a visitor make the server call internal services: a typed URL's host
is resolved and every address it resolves to is checked, and the connection then goes to one of those checked
addresses (`HostPolicy.addresses`; hflab.remote.client connects through it for every connection, redirects
included), never to a second resolution's answer: a name whose DNS answers a public address to the check and
127.0.0.1 to the connect (DNS rebinding) reaches nothing. An IP written in any form the C resolver and browsers
read as one (2130706433, 0177.0.0.1, 0x7f.0.0.1, 127.1, ::ffff:127.0.0.1) is judged as that address.
Allowed: hosts or networks the operator lists in HFLAB_REMOTE_ALLOWED_HOSTS, the operator's own configured
server, loopback only when the app itself listens on loopback (a personal install talking to its own
llama.cpp / vLLM), and public addresses. Refused: private, link-local (cloud metadata), reserved, multicast and
unspecified addresses, unless listed.
"""
from __future__ import annotations

import ipaddress
import os
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

from hflab.messages import MessageError

ENV_ALLOWED_HOSTS = "HFLAB_REMOTE_ALLOWED_HOSTS"
# metadata services answer on these even where they are not in a link-local range
METADATA_ADDRESSES = frozenset({"169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# inet_aton's IPv4 forms: one to four dot-separated parts, each decimal, octal (leading 0) or hex (0x)
_NUMERIC_IPV4 = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}", re.IGNORECASE)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class HostRefused(MessageError):
    """A typed URL whose host the operator does not allow; the message names that host only."""


@dataclass(frozen=True)
class HostPolicy:
    """What typed URLs may reach: listed names / addresses / networks, the operator's host, loopback or not."""

    listed: tuple[str, ...] = ()
    operator_host: str = ""
    allow_loopback: bool = False

    def check_url(self, url: str) -> None:
        """Raise HostRefused unless every address the URL's host resolves to is allowed (a host the operator
        lists by name, or their own server's, is not even resolved)."""
        parsed = urlparse(url)
        host = (parsed.hostname or "").lower()
        if not host:
            raise HostRefused("remote.error.host_refused", host=url[:80])
        if not self._trusts_name(host):
            self.addresses(host, parsed.port or (443 if parsed.scheme == "https" else 80))

    def addresses(self, host: str, port: int) -> list[Address]:
        """The addresses a connection to `host` may go to: every one it resolves to now, each allowed (else
        HostRefused), unless the operator trusts the name itself. Connect to one of these and nothing else."""
        host = host.lower().strip("[]")
        found = resolve_host(host, port)
        if not self._trusts_name(host):
            for address in found:
                if not self.address_allowed(address):
                    raise HostRefused("remote.error.host_refused", host=host)
        return found

    def _trusts_name(self, host: str) -> bool:
        return host in self.listed or bool(self.operator_host and host == self.operator_host)

    def address_allowed(self, address: Address) -> bool:
        """Is one resolved address allowed by this policy?"""
        if str(address) in self.listed or any(address in net for net in _networks(self.listed)):
            return True
        if address.is_loopback:
            return self.allow_loopback
        if str(address) in METADATA_ADDRESSES:
            return False
        return not (address.is_private or address.is_link_local or address.is_reserved or address.is_multicast
                    or address.is_unspecified)


def resolve_host(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to, in the resolver's order, each once (an IP literal, in any form, is itself);
    unresolvable -> HostRefused. IPv4-mapped IPv6 (::ffff:10.0.0.1) comes back as the IPv4 address it carries."""
    literal = ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            raise HostRefused("remote.error.host_unresolved", host=host) from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    return list(dict.fromkeys(getattr(a, "ipv4_mapped", None) or a for a in addresses))


def ip_literal(host: str) -> Address | None:
    """The IP address `host` spells, or None for a name: IPv4 / IPv6 text, and the numeric IPv4 forms that the C
    resolver (inet_aton) and browsers read as addresses too: 2130706433, 0177.0.0.1, 0x7f.0.0.1 and 127.1 are all
    127.0.0.1, so they are judged as 127.0.0.1 here whatever the platform's resolver does with them."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if not _NUMERIC_IPV4.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None  # numeric-looking but no address (a part too big): left to the resolver, like any name


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
