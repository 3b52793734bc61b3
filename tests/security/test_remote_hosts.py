"""Issue 15.2 / 15.3: a typed remote URL cannot make the server call internal addresses, is checked again on
every redirect, never gets its error bodies echoed, and "test connection" has one overall deadline."""
from __future__ import annotations

import ipaddress

import pytest

from hflab import i18n
from hflab.remote.client import RemoteConfig, RemoteError, check_model, list_models, stream_chat
from hflab.remote.hosts import HostPolicy, HostRefused, policy_from_env

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


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_typed_loopback_url_is_refused_with_the_exact_message(lang, server):
    config = RemoteConfig(f"{server}/ok/v1", "scripted", timeout_s=1.0, guard=DEFAULT)
    with pytest.raises(RemoteError) as err:
        list(stream_chat(config, [{"role": "user", "content": "hi"}]))
    assert err.value.key == "remote.error.host_refused"
    assert i18n.t(err.value.key, lang, **err.value.params) == i18n.t("remote.error.host_refused", lang,
                                                                      host="127.0.0.1")


def test_a_redirect_to_a_metadata_address_is_refused(server):
    config = RemoteConfig(f"{server}/redirect/v1", "scripted", timeout_s=2.0, guard=HostPolicy(("127.0.0.1",)))
    with pytest.raises(RemoteError) as err:
        list_models(config)
    assert err.value.key == "remote.error.host_refused"
    assert err.value.params["host"] == "169.254.169.254"


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
