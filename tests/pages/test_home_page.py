"""Issue 13.5: Home shows, per role, ready / downloads on first use / missing, and the one command that readies it."""
from __future__ import annotations

import pytest
from apptest_utils import open_page

from hflab import i18n
from hflab.loading.roles import ROLES
from hflab.loading.sources import Source, fix_command, resolve


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_lists_each_roles_status_and_fix_command(lang):
    at = open_page("app_pages/home.py", lang)
    assert not at.exception
    roles = at.dataframe[1].value
    statuses = list(roles[i18n.t("home.col.ready", lang)])
    commands = [c.value for c in at.code]
    for row, name in enumerate(ROLES):
        source = resolve(name)
        expected = "home.status.ready" if source.ready else "home.status.missing"
        assert statuses[row] == i18n.t(expected, lang)
        assert (fix_command(source) in commands) == bool(fix_command(source))
    # offline, no BLIP weights: missing, with the download command
    assert "HF_ENDPOINT=https://hf-mirror.com hf download Salesforce/blip-image-captioning-base" in commands


def test_fix_command_for_hub_mirror_and_local_sources():
    hub = Source("caption", "hub", "Salesforce/blip-image-captioning-base", "x", "source.hub")
    mirror = Source("dataset", "mirror", "lansinuote/ChnSentiCorp", "x", "source.mirror",
                    params={"endpoint": "https://hf-mirror.com"})
    local = Source("caption", "local", "x", "/models/blip", "source.local")
    assert fix_command(hub) == "hf download Salesforce/blip-image-captioning-base"
    assert (
        fix_command(mirror)
        == "HF_ENDPOINT=https://hf-mirror.com hf download --repo-type dataset lansinuote/ChnSentiCorp"
    )
    assert fix_command(local) == ""
