"""Question → Understanding: what kind of question it is and what it is about.

A small rule-based classifier over normalised text (Japanese and English cue words), with the
entities it needs: region blocks (from place names), fields (from the field vocabulary), other
sections of the documents (by heading), and content words that the documents never mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from corpus.text import Tokenizer, normalize, squash
from assistant.fields import FieldVocabulary
from assistant.glossary import translate_terms
from assistant.places import find_places
from assistant.plan import PlanView

# The intents, in the order the composer knows them.
INTENTS = (
    "block_items",  # what block X plans → every item of X
    "block_field",  # does block X plan field Y → yes/no with the item
    "which_blocks",  # which blocks plan field Y → every matching block
    "count",  # how many blocks / fields
    "compare",  # two or more blocks → common and differing fields
    "explain",  # why / background / what-is → the sentence(s)
    "section",  # a section of the documents by its heading (分野横断的課題, 凡例 …) → its items
    "detail",  # continuation: もっと詳しく / 他には
    "general",  # anything else → best passages
)


def _cue(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words))


COUNT = _cue(r"いくつ", r"幾つ", r"何個", r"何件", r"何分野", r"何ブロック", r"何地域", r"何か所", r"何カ所", r"何ヶ所",
             r"何つ", r"数は", r"の数", r"how many", r"number of", r"count")
COMPARE = _cue(r"比較", r"違い", r"ちがい", r"違う", r"異な", r"共通", r"比べ", r"くらべ", r"差は", r"同じ", r"似て",
               r"compare", r"comparison", r"differ", r"in common", r"versus", r"\bvs\b")
WHICH = _cue(r"どこ", r"どの", r"何処", r"いずれ", r"which", r"where", r"what regions", r"ブロックは", r"地域は", r"地方は",
             r"エリアは", r"ところ", r"とこ")
WHY = _cue(r"なぜ", r"何故", r"なんで", r"どうして", r"理由", r"背景", r"狙い", r"ねらい", r"目的", r"経緯", r"根拠",
           r"きっかけ", r"契機", r"why", r"reason", r"background", r"purpose", r"\baim", r"どのような考え", r"位置づけ",
           r"位置付け")
# 「Xとは」「Xって何」: a definition. About a block it just asks what the block plans.
DEFINE = _cue(r"とは", r"って何", r"ってなに", r"ってなん", r"意味", r"\bmean", r"what is", r"what are", r"what does")
LIST = _cue(r"教えて", r"一覧", r"挙げ", r"あげて", r"列挙", r"すべて", r"全て", r"全部", r"何が", r"なにが", r"何を",
            r"なにを", r"どんな", r"どういう", r"リスト", r"list", r"what", r"は\?$", r"は？$")
ENUMERATE = _cue(r"全部", r"すべて", r"全て", r"一覧", r"列挙", r"挙げて", r"リスト", r"\ball\b", r"\blist\b", r"何がある")
BOTH = _cue(r"両方", r"どちらも", r"ともに", r"共に", r"いずれも", r"both", r"and also")
# Questions about figures, money, dates or people: the plan outline states none of these.
NUMBER_ASK = _cue(r"予算", r"金額", r"費用", r"補助金", r"助成金", r"いくら", r"何円", r"億円", r"兆円", r"人数", r"何人",
                  r"雇用", r"売上", r"市場規模", r"生産額", r"出荷額", r"何年", r"いつ", r"時期", r"期限", r"期間",
                  r"スケジュール", r"年度", r"締め?切", r"担当者", r"連絡先", r"電話", r"面積", r"人口", r"gdp",
                  r"budget", r"cost", r"how much", r"when", r"deadline", r"population", r"funding", r"yen", r"staff")
CONTINUE = _cue(r"もっと詳しく", r"詳しく", r"詳細", r"他には", r"ほかには", r"他に", r"ほかに", r"続き", r"さらに",
                r"more detail", r"tell me more", r"anything else", r"what else", r"\bmore\b")
REFERENCE = _cue(r"そこ", r"その地域", r"そのブロック", r"その地方", r"同地域", r"同ブロック", r"この地域", r"このブロック",
                 r"そちら", r"there", r"that region", r"that block", r"those regions")

# Nouns that appear in questions but are not topics: their absence from the documents means nothing.
GENERIC = set(
    "取り組み 取組 取り組 計画 予定 内容 方針 戦略 分野 産業 地域 ブロック 地方 エリア クラスター 形成 検討 特徴 概要 中身 全体 "
    "一覧 情報 資料 文書 記載 項目 対象 重点 注力 政策 施策 事業 種類 部分 ところ こと もの 点 件 何 方 感じ 話 場合 "
    "関係 理由 背景 目的 狙い 違い 共通 比較 数 全部 全て 他 詳細 ほか 以外 今後 将来 国 日本 政府 素案 区分 県 都道府県 "
    "市 地元 それぞれ 各 各地 全国 名前 名称 リスト 中 上 下 前 後 場所 どこ 所 とこ 具体 具体的 主 主な 主要 意味 "
    "ポイント 要点 まとめ 説明 質問 答え 回答 場 とき 時 今 現在 今回 お願い 教え ため 様 よう 的 性 化 等 など 系 "
    "いくら いつ どれ どれくらい どのくらい 業界 テーマ 領域 部門 セクター 方向性 位置づけ 位置付け 強み 育成 推進 分類 区域 範囲 関連 ジャンル 狙い目".split()
)


@dataclass(frozen=True)
class Understanding:
    question: str
    normalized: str
    intent: str
    blocks: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # non-region blocks whose heading the question names
    unknown_terms: tuple[str, ...] = ()  # content words the documents never mention
    asks_figure: bool = False
    wants_all: bool = False  # 「両方」: blocks that plan every field
    list_size: int | None = None  # 「17の戦略分野を全部」: the number the question expects
    followup: str | None = None  # ellipsis | reference | continuation
    place_notes: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()

    @property
    def has_entities(self) -> bool:
        return bool(self.blocks or self.fields or self.sections)


def _cues(norm: str) -> tuple[str, ...]:
    names = ("count", "compare", "which", "explain", "define", "list", "continue", "reference")
    patterns = (COUNT, COMPARE, WHICH, WHY, DEFINE, LIST, CONTINUE, REFERENCE)
    return tuple(n for n, p in zip(names, patterns) if p.search(norm))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


# Share of a heading's character bigrams the question must contain: 「分野横断的な課題」 names 分野横断的課題.
HEADING_COVERAGE = 0.8


def _sections(norm_sq: str, plan: PlanView) -> tuple[str, ...]:
    """Non-region blocks or section headings that the question names (凡例, 分野横断的課題 …)."""
    q = _bigrams(norm_sq)
    found: list[tuple[int, str]] = []
    for block in plan.others():
        for heading in (block.name, *block.headings):
            for key in {squash(heading), squash(heading).replace("分野別", "")}:
                grams = _bigrams(key)
                if len(key) >= 2 and len(grams & q) >= HEADING_COVERAGE * len(grams):
                    found.append((len(key), block.name))
    found.sort(reverse=True)
    # A longer heading wins over the shorter one it contains (洗い出された課題 over 17の戦略分野).
    if found:
        best = found[0][0]
        return tuple(dict.fromkeys(name for length, name in found if length == best))
    return ()


def _unknown_terms(norm: str, tok: Tokenizer, corpus_sq: str, known: set[str]) -> tuple[str, ...]:
    out = []
    for t in tok.tokens(norm):
        surface = t.surface.strip()
        if t.pos != "名詞" or len(surface) < 2 or surface.isascii() or re.fullmatch(r"[ぁ-ゖー]+", surface):
            continue
        if surface in GENERIC or t.normalized in GENERIC or surface in known:
            continue
        if any(surface in k or k in surface for k in known if len(k) >= 2):
            continue
        if squash(surface) not in corpus_sq:
            out.append(surface)
    return tuple(dict.fromkeys(out))


def understand(question: str, plan: PlanView, vocab: FieldVocabulary, tok: Tokenizer, corpus_sq: str) -> Understanding:
    norm = normalize(translate_terms(normalize(question))).strip()
    norm_sq = squash(norm)
    places = find_places(norm)
    blocks = tuple(dict.fromkeys(b for p in places for b in p.blocks if plan.region(b)))
    blocks += tuple(b for b in plan.names_in(norm) if b not in blocks)  # the documents' own block names
    notes = tuple(
        f"{p.surface}→{'・'.join(p.blocks)}"
        for p in places
        if p.via in ("prefecture", "city", "region") and p.blocks != (p.surface,)
    )
    fields = tuple(vocab.find(norm))
    sections = _sections(norm_sq, plan) if not blocks else ()
    known = {squash(p.surface) for p in places} | {normalize(f) for f in fields}
    known |= {normalize(s) for f in fields for s in vocab.members(f)}
    unknown = _unknown_terms(norm, tok, corpus_sq, known)
    cues = _cues(norm)
    # 「17の戦略分野を全部」: a section whose heading is itself a count expects that many items.
    size = next((re.match(r"(\d+)の?[^のからをへ]+$", s) for s in sections if ENUMERATE.search(norm)), None)
    u = Understanding(
        question=question,
        normalized=norm,
        intent="general",
        blocks=blocks,
        fields=fields,
        sections=sections,
        unknown_terms=unknown,
        asks_figure=bool(NUMBER_ASK.search(norm)),
        wants_all=bool(BOTH.search(norm)),
        list_size=int(size.group(1)) if size else None,
        place_notes=notes,
        cues=cues,
    )
    return replace(u, intent=classify(u))


def classify(u: Understanding) -> str:
    c = set(u.cues)
    if "count" in c and (u.blocks or u.fields or "ブロック" in u.normalized or "地域" in u.normalized
                         or "block" in u.normalized or "region" in u.normalized or "分野" in u.normalized):
        return "count"
    if len(u.blocks) >= 2 and not u.fields:
        return "compare" if ("compare" in c or "explain" not in c) else "explain"
    if "explain" in c or ("define" in c and not u.blocks and not u.sections):
        return "explain"
    if u.blocks and u.fields:
        return "block_field"
    if u.blocks:
        return "block_items"
    if u.fields:
        return "which_blocks"
    if u.sections:
        return "section"
    return "general"

