"""The snapshot a start loads: derived views kept on disk per build (a damaged or stale copy is derived
again, with the same answers), and answering that never tokenises a passage."""

from __future__ import annotations

import json
import logging
import shutil

import pytest

from assistant import Assistant, derived
from assistant.config import Settings
from corpus.text import Tokenizer, normalize

QUESTIONS = [
    "九州で検討されているクラスターの分野を教えて",
    "造船に取り組む地域はどこ？",
    "北海道と東北の違いは？",
    "なぜ四国は造船なの？",
    "危機管理投資とは？",
    "九州の予算はいくら？",
    "九州で造船に取り組む企業はどこ？",
    "成長戦略の担当大臣は誰？",
    "危機管理投資はいつから始まる？",
    "半導体を挙げていないブロックは？",
]


def answers(bot) -> list[dict]:
    return [bot.ask(q).to_dict() for q in QUESTIONS]


@pytest.fixture()
def copy(settings, bot, tmp_path):
    """A copy of the session's data folder (index and derived views): this test may damage its files."""
    shutil.copytree(settings.data_dir, tmp_path / "data")
    s = Settings(data_dir=tmp_path / "data")
    folder = s.data_dir / "derived" / derived.cache_key(bot.info, bot.embedder.name)
    assert (folder / derived.META).exists(), "the session's start saved its derived views"
    return s, folder


def _reload(s: Settings, caplog) -> tuple[Assistant, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="assistant.derived"):
        bot = Assistant.load(s)
    return bot, [r.getMessage() for r in caplog.records]


def test_a_start_loads_the_saved_views(bot, copy, caplog):
    s, _ = copy
    again, log = _reload(s, caplog)
    assert any("loaded" in m for m in log) and not any("deriving" in m for m in log)
    assert answers(again) == answers(bot)


@pytest.mark.parametrize("damage", ["flip a byte", "flip a mapped byte", "truncate", "delete", "stale key"])
def test_a_damaged_or_stale_derived_file_is_derived_again_with_the_same_answers(bot, copy, caplog, damage):
    s, folder = copy
    # A flipped byte of a memory-mapped file loads without error: only its checksum tells.
    victim = {"flip a byte": "views.pickle", "flip a mapped byte": "analyses.bin", "truncate": "analyses.bin", "delete": "lexical/lexical.json",
              "stale key": derived.META}[damage]
    path = folder / victim
    if damage.startswith("flip a"):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:-7])
    elif damage == "delete":
        path.unlink()
    else:  # written for another build of the same collection name
        meta = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**meta, "key": "another-build"}), encoding="utf-8")
    again, log = _reload(s, caplog)
    assert any("not used" in m and "deriving them from the index again" in m for m in log), log
    assert answers(again) == answers(bot)
    # The views were saved again, whole: the next start loads them.
    third, log = _reload(s, caplog)
    assert any("loaded" in m for m in log) and answers(third) == answers(bot)


def test_answering_never_tokenises_a_passage(bot, monkeypatch):
    kb = bot._state.kb
    passages = set()
    for c in kb.plan.chunks.values():
        passages.add(normalize(c.text))
        passages.update(normalize(x.text) for x in (*c.sentences, *c.items))
    seen: list[str] = []
    original = Tokenizer.tokens

    def counting(self, text, fine=False):
        seen.append(text)
        return original(self, text, fine)

    monkeypatch.setattr(Tokenizer, "tokens", counting)
    for q in QUESTIONS:
        bot.ask(q)
        bot.ask("では四国は？", history=[{"role": "user", "content": q}, {"role": "assistant", "content": "…"}])
    assert seen, "the questions themselves are tokenised"
    tokenised_passages = [t for t in seen if t in passages and not any(t in normalize(q) for q in QUESTIONS)]
    assert tokenised_passages == []
