"""The two baselines keep the assistant's answer contract (slow: the starter embeds the documents)."""

from __future__ import annotations

import pytest

from evals import metrics as M
from evals.dataset import load_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_bm25_baseline(corpus):
    from evals.baselines import BM25Baseline

    bm25 = BM25Baseline()
    a = bm25.ask("造船に取り組むブロックはどこ？", [])
    assert a.answerable and 1 <= len(a.citations) <= 2
    assert M.citation_problems(a, corpus.documents) == []
    assert all((c.doc_id, c.block) in corpus.blocks for c in a.citations)
    assert [c["block"] for c in a.trace["candidates"]] == [c.block for c in a.citations]
    nothing = bm25.ask("ｘｙｚｚｙ", [])  # no query token in the vocabulary
    assert not nothing.answerable and nothing.citations == []


def test_starter_baseline(corpus):
    from evals.baselines import StarterBaseline

    starter = StarterBaseline()
    try:
        a = starter.ask("九州で検討されているクラスターの分野を教えて", [])
        assert a.answerable and len(a.citations) == 2
        assert M.citation_problems(a, corpus.documents) == []  # node offsets are exact
        for c in a.citations:
            block_start, block_end = corpus.blocks[(c.doc_id, c.block)]
            assert block_start <= c.start < block_end or c.start < block_start  # block containing (or following) the start
    finally:
        starter.close()
    assert not starter._tmp.exists()
