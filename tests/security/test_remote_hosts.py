"""Issue 15.2 / 15.3 / 38: a typed remote URL cannot make the server call internal addresses (in no spelling of an
IP, nor through DNS rebinding), is checked again on every redirect, never gets its error bodies echoed, and "test
connection" has one overall deadline. Every case runs under the audit hook (conftest.py): a refused URL sends no
request to the scripted server (its request counter) and opens no connection at all."""
from __future__ import annotations

import ipaddress
import socket

import pytest

from hflab import i18n
from hflab.remote.client import RemoteConfig, RemoteError, check_model, list_models, stream_chat
from hflab.remote.hosts import HostPolicy, HostRefused, ip_literal, policy_from_env

DEFAULT = HostPolicy()
REFUSED = ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "169.254.1.1",
           "fd00:ec2::254", "fe80::1", "0.0.0.0", "224.0.0.1", "100.100.100.200"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused_by_default(address):
    assert not DEFAULT.address_allowed(ipaddress.ip_address(address))


def test_public_addresses_pass_and_ipv4_mapped_ipv6_is_judged_as_ipv4():
    assert DEFAULT.address_allowed(ipaddress.ip_address("93.184.216.34"))
    with pytest.raises(HostRefused) as err:
        DEFAULT.check_url("http://[::ffff:10.0.0.1]:8000/v1")
    assert err.value.key == "remote.error.host_refused"


def test_loopback_only_when_the_app_listens_on_loopback(monkeypatch):
    monkeypatch.delenv("HFLAB_REMOTE_ALLOWED_HOSTS", raising=False)
    with pytest.raises(HostRefused):
        policy_from_env("", app_on_loopback=False).check_url("http://localhost:8000/v1")
    policy_from_env("", app_on_loopback=True).check_url("http://localhost:8000/v1")


def test_operator_listed_hosts_and_networks_and_own_server_are_allowed(monkeypatch):
    monkeypatch.setenv("HFLAB_REMOTE_ALLOWED_HOSTS", "10.0.0.0/8, gpu-box.internal ,192.168.1.5")
    policy = policy_from_env("http://172.16.0.9:8000/v1", app_on_loopback=False)
    policy.check_url("http://10.20.30.40:8000/v1")
    policy.check_url("http://192.168.1.5/v1")
    policy.check_url("http://gpu-box.internal:8000/v1")  # listed by name: not even resolved
    policy.check_url("http://172.16.0.9:8000/v1")  # the operator's own server
    with pytest.raises(HostRefused):
        policy.check_url("http://192.168.1.6/v1")


def requests_to(server) -> int:
    """How many requests the scripted server has received, all modes together."""
    return sum(server.requests.values())


def refused_with(err: RemoteError, key: str, **params) -> bool:
    """Is `err` exactly the catalog message `key` with `params`, in every language?"""
    return err.key == key and all(i18n.t(err.key, lang, **err.params) == i18n.t(key, lang, **{"status": "", **params})
                                  for lang in i18n.LANGUAGES)


def test_a_typed_loopback_url_is_refused_with_the_exact_message(server, audit):
    sent = requests_to(server)
    config = RemoteConfig(f"{server}/ok/v1", "scripted", timeout_s=1.0, guard=DEFAULT)
    with pytest.raises(RemoteError) as err:
        list(stream_chat(config, [{"role": "user", "content": "hi"}]))
    assert refused_with(err.value, "remote.error.host_refused", host="127.0.0.1")
    assert i18n.t(err.value.key, "en", **err.value.params) == (
        "Connecting to this address is not allowed: 127.0.0.1. For safety, a typed address may not point at a private "
        "network, this machine or a cloud metadata address; the operator can list allowed hosts in "
        "HFLAB_REMOTE_ALLOWED_HOSTS.")
    assert requests_to(server) == sent and audit.connections() == []  # refused before a connection, not after


# every spelling of an internal address that the C resolver and browsers read as one, and the address it is
LOOPBACK_FORMS = {"2130706433": "127.0.0.1", "0177.0.0.1": "127.0.0.1", "0x7f.0.0.1": "127.0.0.1",
                  "127.1": "127.0.0.1", "0x7F000001": "127.0.0.1", "017700000001": "127.0.0.1",
                  "0x7f.1": "127.0.0.1", "012.0.0.1": "10.0.0.1", "167772161": "10.0.0.1", "0xa.0.0.1": "10.0.0.1",
                  "0251.0376.0251.0376": "169.254.169.254", "[::ffff:127.0.0.1]": "127.0.0.1",
                  "[::ffff:7f00:1]": "127.0.0.1", "[::1]": "::1", "[0:0:0:0:0:0:0:1]": "::1"}


@pytest.mark.parametrize("form", LOOPBACK_FORMS)
def test_every_spelling_of_an_internal_ip_is_refused_on_a_public_deployment(form, server, audit):
    """The scripted server's own port behind each spelling: a request that got through would be counted there."""
    literal = ip_literal(form.strip("[]"))
    assert (getattr(literal, "ipv4_mapped", None) or literal) == ipaddress.ip_address(LOOPBACK_FORMS[form])
    sent, port = requests_to(server), server.rpartition(":")[2]
    config = RemoteConfig(f"http://{form}:{port}/ok/v1", "scripted", timeout_s=1.0, guard=DEFAULT)
    with pytest.raises(RemoteError) as err:
        list(stream_chat(config, [{"role": "user", "content": "hi"}]))
    assert refused_with(err.value, "remote.error.host_refused", host=form.strip("[]").lower())
    assert requests_to(server) == sent and audit.connections() == []


PUBLIC = "93.184.216.34"  # what the rebinding name answers while it is checked; the audit hook refuses a connection


@pytest.mark.parametrize("public_answers", [1, 2, 3])
def test_dns_rebinding_cannot_reach_the_address_a_second_lookup_gives(public_answers, server, audit, monkeypatch):
    """rebind.test answers a public address to its first `public_answers` lookups and 127.0.0.1 (the scripted
    server) after that. Whichever lookup the answer changes at, the connection goes to an address that was checked:
    the public one (refused by the audit hook, as an unreachable host: "cannot reach"), or none when the check
    itself got 127.0.0.1. The old client checked twice (the URL, then a request hook) and let the socket look the
    name up a third time: with two public answers it connected to 127.0.0.1."""
    real, answers = socket.getaddrinfo, []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        answers.append(PUBLIC if len(answers) < public_answers else "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answers[-1], port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    audit.unreachable.add(PUBLIC)
    sent, port = requests_to(server), int(server.rpartition(":")[2])
    config = RemoteConfig(f"http://rebind.test:{port}/ok/v1", "scripted", timeout_s=2.0, guard=DEFAULT)
    with pytest.raises(RemoteError) as err:
        list_models(config)
    assert requests_to(server) == sent
    assert audit.connections() == ([] if answers[-1] == "127.0.0.1" else [f"{PUBLIC}:{port}"])
    if answers[-1] == "127.0.0.1":  # the last lookup was the check of the connection itself
        assert refused_with(err.value, "remote.error.host_refused", host="rebind.test")
    else:
        assert refused_with(err.value, "remote.error.down")


def test_a_redirect_to_a_metadata_address_is_refused(server, audit):
    config = RemoteConfig(f"{server}/redirect/v1", "scripted", timeout_s=2.0, guard=HostPolicy(("127.0.0.1",)))
    with pytest.raises(RemoteError) as err:
        list_models(config)
    assert refused_with(err.value, "remote.error.host_refused", host="169.254.169.254")
    assert audit.connections() == [server.removeprefix("http://")]  # the scripted server only, once


def test_a_typed_servers_error_body_is_not_echoed(server):
    typed = RemoteConfig(f"{server}/error500/v1", "scripted", timeout_s=2.0, guard=HostPolicy(("127.0.0.1",)))
    with pytest.raises(RemoteError) as err:
        list(stream_chat(typed, [{"role": "user", "content": "hi"}]))
    assert err.value.key == "remote.error.http" and err.value.detail == ""
    assert "CUDA" not in str(err.value.params)
    operator = RemoteConfig(f"{server}/error500/v1", "scripted", timeout_s=2.0)
    with pytest.raises(RemoteError) as err:
        list(stream_chat(operator, [{"role": "user", "content": "hi"}]))
    assert err.value.detail == "CUDA out of memory"  # the operator's own server may speak


def test_test_connection_has_one_overall_deadline(server):
    # the server sends one byte every 0.4 s: no read ever waits 1 s, so only a whole-request deadline stops it
    with pytest.raises(RemoteError) as err:
        check_model(RemoteConfig(f"{server}/trickle/v1", "scripted", timeout_s=1.0))
    assert err.value.key == "remote.error.timeout"
