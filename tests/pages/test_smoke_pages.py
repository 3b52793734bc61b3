"""Every page opens with the tiny models, without exceptions, showing its title in both languages."""
import pytest
from apptest_utils import open_page

from hflab.i18n import t

PAGES = {
    "app_pages/home.py": "app.title",
    "app_pages/image_story.py": "nav.image_story",
    "app_pages/sampling.py": "nav.sampling",
    "app_pages/tokenizer.py": "nav.tokenizer",
    "app_pages/sentiment.py": "nav.sentiment",
    "app_pages/models.py": "nav.models",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_opens(page, lang, tiny_env):
    at = open_page(page, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert [title.value for title in at.title][:1] == [t(PAGES[page], lang)]
