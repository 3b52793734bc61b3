"""Operator actions (issue 38): on a public deployment an anonymous session deleted a cached repo from the Models
page's cache tab, forcing multi-GB downloads for everyone. Deleting cached models and "prepare for offline"
downloads into the shared cache now run only where HFLAB_OPERATOR_ACTIONS=1 allows them, or, with the setting
unset, where the app listens on loopback (a personal install). Elsewhere the buttons are off, the page says
why and how the operator turns them on, and a click sent anyway (a crafted client) changes nothing: Streamlit
discards the values of disabled widgets on the server."""
from __future__ import annotations

import pytest
from apptest_utils import open_page

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.settings import operator_actions

PAGE = "app_pages/models.py"
COMMIT = "a" * 40
OFF_NOTE = {
    "zh": "删除缓存的模型和“为离线使用做准备”会改动所有访客共用的服务器缓存，"
    "所以在公开部署中默认关闭（只有在本机回环地址上运行时才默认开启）。"
    "运营者可以设置 HFLAB_OPERATOR_ACTIONS=1（环境变量或 `st.secrets`）来开启。",
    "en": 'Deleting cached models and "prepare for offline use" change the server\'s cache that every visitor shares, '
    "so they are off on a public deployment (on by default only when the app listens on loopback). The operator "
    "turns them on with HFLAB_OPERATOR_ACTIONS=1 (an environment variable or a Streamlit secret).",
}


@pytest.fixture()
def shared_cache(tmp_path, monkeypatch):
    """The server's HF cache (a temporary hub dir) holding one model that other visitors rely on; its folder."""
    from huggingface_hub import constants

    repo = tmp_path / "hub" / "models--org--cached-model"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    (repo / "blobs").mkdir()
    (repo / "blobs" / "config").write_text('{"model_type": "bert"}')
    (repo / "snapshots" / COMMIT).mkdir(parents=True)
    (repo / "snapshots" / COMMIT / "config.json").symlink_to("../../blobs/config")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return repo


@pytest.fixture()
def listening_on():
    """Set the address the server listens on (server.address, as `--server.address` does) for one test."""
    from streamlit import config

    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


@pytest.mark.parametrize("setting, on_loopback, allowed", [
    (None, False, False), (None, True, True),
    ("1", False, True), ("true", False, True), ("on", False, True),
    ("0", True, False), ("off", True, False), ("no", True, False),
    ("maybe", False, False), ("maybe", True, True),
])
def test_the_setting_decides_and_unset_follows_loopback(setting, on_loopback, allowed, monkeypatch):
    if setting is None:
        monkeypatch.delenv("HFLAB_OPERATOR_ACTIONS", raising=False)
    else:
        monkeypatch.setenv("HFLAB_OPERATOR_ACTIONS", setting)
    assert operator_actions(on_loopback) is allowed


def cache_tab(lang: str):
    at = open_page(PAGE, lang)
    assert not at.exception, [e.value for e in at.exception]
    return at


def sent_anyway(widget, value) -> None:
    """What a crafted client sends for a disabled widget: AppTest's own setters refuse it, as a browser would, so the
    value goes into the state AppTest sends on the next run directly."""
    assert widget.disabled
    widget._value = value


def status_table_shown(at, lang: str) -> bool:
    """Did "prepare for offline" run (its table has a status column)?"""
    return any(t("models.dl.col.status", lang) in f.value.columns for f in at.dataframe)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_public_deployment_keeps_the_shared_cache(lang, shared_cache, listening_on, monkeypatch, tiny_env):
    monkeypatch.delenv("HFLAB_OPERATOR_ACTIONS", raising=False)
    listening_on("0.0.0.0")
    at = cache_tab(lang)
    assert OFF_NOTE[lang] in [i.value for i in at.info]
    assert at.checkbox(key="models_delete_sure").disabled
    assert at.button(key="models_delete").disabled and at.button(key="models_prepare_offline").disabled
    sent_anyway(at.checkbox(key="models_delete_sure"), True)
    sent_anyway(at.button(key="models_delete"), True)
    at.run()
    sent_anyway(at.button(key="models_prepare_offline"), True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert (shared_cache / "snapshots" / COMMIT / "config.json").is_file()
    assert not status_table_shown(at, lang)
    assert [s.value for s in at.success] == []  # no "deleted" note


def test_the_operator_turns_them_on_with_the_setting(shared_cache, listening_on, monkeypatch, tiny_env):
    monkeypatch.setenv("HFLAB_OPERATOR_ACTIONS", "1")
    listening_on("0.0.0.0")
    at = cache_tab("en")
    assert OFF_NOTE["en"] not in [i.value for i in at.info]
    assert not at.button(key="models_prepare_offline").disabled
    at.checkbox(key="models_delete_sure").check().run()
    assert not at.button(key="models_delete").disabled
    at.button(key="models_delete").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not shared_cache.exists()
    assert [s.value for s in at.success] == [t("models.cache.deleted", "en", repo=markdown_literal("org/cached-model"),
                                               mb=markdown_literal(0.0))]


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1"])
def test_a_personal_install_on_loopback_keeps_them_as_before(address, shared_cache, listening_on, monkeypatch,
                                                             tiny_env):
    monkeypatch.delenv("HFLAB_OPERATOR_ACTIONS", raising=False)
    listening_on(address)
    at = cache_tab("zh")
    assert OFF_NOTE["zh"] not in [i.value for i in at.info]
    assert not at.checkbox(key="models_delete_sure").disabled and not at.button(key="models_prepare_offline").disabled


def test_the_operator_can_turn_them_off_on_loopback_too(shared_cache, listening_on, monkeypatch, tiny_env):
    monkeypatch.setenv("HFLAB_OPERATOR_ACTIONS", "0")
    listening_on("127.0.0.1")
    at = cache_tab("en")
    assert OFF_NOTE["en"] in [i.value for i in at.info]
    assert at.button(key="models_delete").disabled and at.button(key="models_prepare_offline").disabled
