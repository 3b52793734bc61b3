"""Issue 38: AppTest runs share the process, so a model one test loaded into the process-wide manager, or a file it
saved into the data dir, used to be there for every later test (what it asserted depended on the order). Each test
now starts as on a freshly started server (tests/conftest.py: fresh_app_state); the second test below runs after the
first in this module and finds none of what the first left."""
from __future__ import annotations

from apptest_utils import error_texts, open_page

LEFT: dict = {}  # what the first test left behind, for the second to look for


def test_a_page_loads_a_model_and_a_file_is_saved(tiny_env):
    from components.model_loading import manager
    from hflab.settings import get_settings

    at = open_page("app_pages/tokenizer.py", "en")
    assert not error_texts(at)
    LEFT["models"] = [row["key"] for row in manager().snapshot()]
    LEFT["data_dir"] = get_settings().data_dir
    (LEFT["data_dir"] / "left-behind.txt").write_text("an earlier test's file")
    assert LEFT["models"]


def test_the_next_test_finds_no_model_and_an_empty_data_dir_of_its_own():
    from components.model_loading import manager
    from hflab.settings import get_settings

    assert LEFT, "runs after the test above"
    assert manager().snapshot() == []
    data_dir = get_settings().data_dir
    assert data_dir != LEFT["data_dir"] and not any(data_dir.iterdir())
