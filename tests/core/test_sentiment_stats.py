"""Statistics of the review data equal values computed directly with pandas / the tokenizer itself."""

import numpy as np
import pandas as pd
import pytest

from hflab.sentiment import data as sdata
from hflab.sentiment import stats


@pytest.fixture(scope="module")
def reviews(review_dataset):
    full = sdata.load_saved(review_dataset)
    return sdata.ReviewData({k: v.iloc[:400] for k, v in full.splits.items()}, "saved", "ChnSentiCorp")


@pytest.fixture(scope="module")
def tokenizer():
    return sdata.bert_tokenizer()


@pytest.fixture(scope="module")
def frame(reviews, tokenizer):
    rows = reviews.all_rows()
    return stats.with_lengths(rows, stats.token_lengths(tokenizer, list(rows["text"]), batch_size=150))


def test_split_sizes_and_balance(reviews):
    sizes = stats.split_sizes(reviews.splits)
    assert dict(zip(sizes["split"], sizes["rows"])) == {k: len(v) for k, v in reviews.splits.items()}
    balance = stats.label_balance(reviews.splits)
    for split, df in reviews.splits.items():
        expected = df["label"].value_counts(normalize=True)
        got = balance[balance["split"] == split].set_index("label")["share"]
        pd.testing.assert_series_equal(
            got.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
        )


def test_token_lengths_are_the_tokenizers(frame, tokenizer):
    expected = [len(ids) for ids in tokenizer(list(frame["text"]), truncation=False)["input_ids"]]
    assert frame["tokens"].tolist() == expected
    assert (frame["chars"] == frame["text"].str.len()).all()


def test_token_lengths_ignore_and_keep_the_tokenizers_truncation_state(frame, tokenizer):
    """A truncating call just before must not cut the counts, and the state it left is put back."""
    texts = list(frame["text"][:50])
    tokenizer(texts, truncation=True, max_length=16, padding="max_length")
    state = (tokenizer.backend_tokenizer.truncation, tokenizer.backend_tokenizer.padding)
    assert stats.token_lengths(tokenizer, texts).tolist() == frame["tokens"][:50].tolist()
    assert (tokenizer.backend_tokenizer.truncation, tokenizer.backend_tokenizer.padding) == state


def test_truncation_shares(frame):
    shares = stats.truncation_shares(frame["tokens"]).set_index("max_length")
    for n in (128, 256, 512):
        assert shares.loc[n, "share"] == pytest.approx((frame["tokens"] > n).mean())
        assert shares.loc[n, "truncated"] == (frame["tokens"] > n).sum()


def test_histogram_per_label(frame):
    hist = stats.histogram(frame, "chars", bins=25)
    edges = np.histogram_bin_edges(frame["chars"], bins=25)
    for label, group in frame.groupby("label"):
        counts = hist[hist["label"] == label]["count"].to_numpy()
        assert counts.tolist() == np.histogram(group["chars"], bins=edges)[0].tolist()
        assert counts.sum() == len(group)


def test_length_summary(frame):
    summary = stats.length_summary(frame)
    assert summary.loc[1, ("chars", "max")] == frame[frame["label"] == 1]["chars"].max()
    assert summary.loc[0, ("tokens", "median")] == round(frame[frame["label"] == 0]["tokens"].median(), 1)


def test_frequent_characters_and_bigrams(frame):
    top = stats.frequent_chars(frame, top=10)
    for label, group in frame.groupby("label"):
        chars = pd.Series(list("".join(group["text"])))
        expected = chars[chars.map(str.isalnum)].value_counts()
        got = top[top["label"] == label]
        assert got["count"].tolist() == expected.iloc[:10].tolist()
        assert set(got["item"]) <= set(expected.index[: 10 + (expected == expected.iloc[9]).sum()])
    bigrams = stats.frequent_chars(frame, top=5, ngram=2)
    for label, group in frame.groupby("label"):
        pairs = group["text"].map(lambda s: [s[i : i + 2] for i in range(len(s) - 1)]).explode().dropna()
        expected = pairs[pairs.map(lambda p: p.isalnum())].value_counts()
        assert bigrams[bigrams["label"] == label]["count"].tolist() == expected.iloc[:5].tolist()


def test_search_chinese_substring_regex_label_length(frame):
    got = stats.search_reviews(frame, "服务", labels=[1], min_chars=10, max_chars=200)
    expected = frame[frame["text"].str.contains("服务", regex=False) & (frame["label"] == 1)
                     & frame["text"].str.len().between(10, 200)]
    assert got.index.tolist() == expected.index.tolist() and len(got) > 0
    regex = stats.search_reviews(frame, "不(?:错|好)", regex=True)
    assert regex.index.tolist() == frame[frame["text"].str.contains("不(?:错|好)", regex=True)].index.tolist()
    literal = stats.search_reviews(frame, "(")  # a plain substring search never treats "(" as a pattern
    assert literal.index.tolist() == frame[frame["text"].str.contains("(", regex=False)].index.tolist()
    with pytest.raises(sdata.DataError) as err:
        stats.search_reviews(frame, "(", regex=True)
    assert err.value.key == "sentiment.err.bad_regex"


def test_paging(frame):
    assert stats.page(frame, 2, 7).index.tolist() == frame.index[7:14].tolist()
    assert stats.page(frame, 0, 7).index.tolist() == frame.index[:7].tolist()


def test_catastrophic_regex_is_stopped_by_its_budget_without_blocking_other_threads(monkeypatch):
    """Issue 15.1: `^(\\w|\\w)+$` backtracks exponentially over `好好好...！`; it is stopped with a message, and
    while it runs other threads (other sessions) still get the interpreter."""
    import threading
    import time
    from types import SimpleNamespace

    rows = pd.DataFrame({"text": ["好" * 30 + "！"] * 3, "label": [1, 0, 1]})
    outcome, matching = {}, threading.Event()
    engine = stats.regex_engine

    class Announced:
        """The compiled pattern, saying when its search starts and noting when it ends."""

        def __init__(self, pattern):
            self.compiled = engine.compile(pattern)

        def search(self, *args, **kwargs):
            matching.set()
            try:
                return self.compiled.search(*args, **kwargs)
            finally:  # the first thing the worker does once the match returns, before it can yield the GIL
                outcome.setdefault("match_ended", time.monotonic())

    monkeypatch.setattr(stats, "regex_engine", SimpleNamespace(compile=Announced, error=engine.error))

    def run() -> None:
        try:
            stats.search_reviews(rows, r"^(\w|\w)+$", regex=True)
        except sdata.DataError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert matching.wait(60)  # the worker is inside the match now
    other_thread_ran = time.monotonic()  # needs the GIL: a match holding it would delay this line to its end
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert other_thread_ran < outcome["match_ended"]
    assert outcome["error"].key == "sentiment.err.regex_timeout"
    assert outcome["error"].params == {"seconds": f"{stats.REGEX_BUDGET_S:g}"}


def test_the_issues_pattern_and_long_patterns():
    rows = pd.DataFrame({"text": ["好" * 30 + "！", "好好好"], "label": [1, 0]})
    # the reported pattern, answered
    assert stats.search_reviews(rows, r"^(\w+\s?)*$", regex=True).index.tolist() == [1]
    with pytest.raises(sdata.DataError) as err:
        stats.search_reviews(rows, "好" * (stats.MAX_PATTERN_CHARS + 1), regex=True)
    assert err.value.key == "sentiment.err.regex_too_long" and err.value.params == {"limit": stats.MAX_PATTERN_CHARS}


def test_length_histogram_stops_at_the_99th_percentile_and_counts_the_tail():
    """Issue 18.9: a few very long reviews no longer squeeze the chart; the bins have a round width."""
    chars = list(range(1, 201)) * 5 + [5000, 6000, 7000]
    df = pd.DataFrame({"chars": chars, "label": [i % 2 for i in range(len(chars))]})
    hist = stats.length_histogram(df, "chars", bins=30)
    assert hist.upper >= np.quantile(chars, 0.99) and hist.upper < 5000
    assert hist.tail == sum(c > hist.upper for c in chars) == 3
    assert hist.bins["count"].sum() == len(chars) - hist.tail
    widths = (hist.bins["end"] - hist.bins["start"]).unique()
    assert len(widths) == 1 and widths[0] in (1, 2, 5, 10, 20, 50) and hist.bins["start"].min() == 0
    for label, group in df[df["chars"] <= hist.upper].groupby("label"):
        counts = hist.bins[hist.bins["label"] == label]["count"].to_numpy()
        edges = np.append(hist.bins[hist.bins["label"] == label]["start"].to_numpy(), hist.upper)
        assert counts.tolist() == np.histogram(group["chars"], bins=edges)[0].tolist()


def test_frequent_characters_without_stopwords(frame):
    """Issue 18.14: the filter leaves out function characters; the rest are counted as before."""
    top = stats.frequent_chars(frame, top=10, stopwords=stats.STOPWORDS)
    for label, group in frame.groupby("label"):
        chars = pd.Series(list("".join(group["text"])))
        expected = chars[chars.map(str.isalnum) & ~chars.isin(stats.STOPWORDS)].value_counts()
        assert top[top["label"] == label]["count"].tolist() == expected.iloc[:10].tolist()
    assert not set(top["item"]) & stats.STOPWORDS
    bigrams = stats.frequent_chars(frame, top=10, ngram=2, stopwords=stats.STOPWORDS)
    assert all(stats.STOPWORDS.isdisjoint(item) for item in bigrams["item"])
