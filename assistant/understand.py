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
           r"きっかけ", r"契機", r"何のため", r"なんのため", r"強み", r"由来", r"を核", r"何を核", r"核に", r"why", r"reason",
           r"background", r"purpose", r"\baim", r"strength", r"どのような考え", r"位置づけ", r"位置付け")
# 「Xとは」「Xって何」: a definition. About a block it just asks what the block plans.
DEFINE = _cue(r"とは", r"って何", r"ってなに", r"ってなん", r"意味", r"どういうこと", r"どう説明", r"何と言", r"なんと言",
              r"どう扱", r"どう書", r"役割", r"\bmean", r"what is", r"what are", r"what does", r"role")
LIST = _cue(r"教えて", r"一覧", r"挙げ", r"あげて", r"列挙", r"すべて", r"全て", r"全部", r"何が", r"なにが", r"何を",
            r"なにを", r"どんな", r"どういう", r"リスト", r"list", r"what", r"は\?$", r"は？$")
ENUMERATE = _cue(r"全部", r"すべて", r"全て", r"一覧", r"列挙", r"挙げて", r"リスト", r"\ball\b", r"\blist\b", r"何がある")
BOTH = _cue(r"両方", r"どちらも", r"ともに", r"共に", r"いずれも", r"both", r"and also")
NEGATE = _cue(r"(てい|て|し|げ|ま|っ)ない", r"ていません", r"以外", r"除[くいけ]", r"ほか[のに]", r"他の", r"\bnot\b",
              r"without", r"except", r"other than", r"n't")

# Questions that ask for a kind of information (money, dates, people, named places …), and the pattern
# the documents' text must show for the question to be answerable. A plan outline mostly has none.
ASKS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "money": (_cue(r"予算", r"金額", r"費用", r"事業費", r"補助金", r"助成金", r"いくら", r"何円", r"億円", r"兆円", r"お金の額",
                   r"budget", r"cost", r"funding", r"how much", r"\byen\b"), re.compile(r"\d[\d,.]*\s*(?:億|兆|万)?円")),
    "date": (_cue(r"いつ", r"何年", r"時期", r"期限", r"期間", r"スケジュール", r"年度", r"締め?切", r"開始日", r"完了",
                  r"明日", r"今日", r"昨日", r"来年", r"今年", r"天気",
                  r"\bwhen\b", r"deadline", r"which year"), re.compile(r"\d{1,4}\s*(?:年|月|日)|令和|平成")),
    "people": (_cue(r"人数", r"何人", r"従業員", r"雇用", r"人口", r"客数", r"employees", r"population", r"\bjobs\b", r"\bstaff\b"),
               re.compile(r"\d[\d,.]*\s*(?:万|千)?人")),
    "quantity": (_cue(r"目標値", r"数値目標", r"の目標は", r"隻", r"台数", r"容量", r"\bgw\b", r"\bmw\b", r"生産額", r"出荷額",
                      r"売上", r"市場規模", r"面積", r"\bgdp\b"),
                 re.compile(r"\d[\d,.]*\s*(?:隻|台|件|W|ｗ|w|円|人|t|トン|km|ha|㎡|万|億)")),
    "person": (_cue(r"誰", r"だれ", r"担当者", r"大臣", r"知事", r"責任者", r"連絡先", r"電話", r"\bwho\b", r"minister", r"contact"),
               re.compile(r"(?!)")),  # names of people: looked up as proper nouns instead
    "organization": (_cue(r"企業名", r"会社名", r"社名", r"どの企業", r"どの会社", r"参加企業", r"参加する企業", r"company", r"companies",
                          r"firms"), re.compile(r"(?!)")),
    "location": (_cue(r"どの市", r"どの町", r"どの村", r"市町村", r"所在地", r"どこにある", r"どこに置", r"どこに作", r"どこで",
                      r"場所", r"射場", r"立地", r"where exactly", r"which city"), re.compile(r"(?!)")),
}

CONTINUE = _cue(r"もっと詳しく", r"詳しく", r"詳細", r"他には", r"ほかには", r"他に", r"ほかに", r"続き", r"さらに",
                r"more detail", r"tell me more", r"anything else", r"what else", r"\bmore\b")
REFERENCE = _cue(r"そこ", r"その地域", r"そのブロック", r"その地方", r"同地域", r"同ブロック", r"この地域", r"このブロック",
                 r"そちら", r"その2つ", r"その二つ", r"その3つ", r"両者", r"それら", r"両ブロック", r"両地域", r"there",
                 r"that region", r"that block", r"those regions", r"the two", r"\bthem\b")

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
    headings: tuple[str, ...] = ()  # the heading named (a block's name or one of its sub-headings)
    phrases: tuple[str, ...] = ()  # the documents' own noun phrases the question uses (フィジカルAI, 経済安全保障)
    topics: tuple[str, ...] = ()  # content words of the question that the documents contain
    unknown_terms: tuple[str, ...] = ()  # content words the documents never mention
    unknown_names: tuple[str, ...] = ()  # decisive ones: proper names, or the topic of the sentence
    quoted: tuple[str, ...] = ()  # 「…」 phrases of the question found in the documents
    documents: tuple[str, ...] = ()  # doc_ids whose title the question names (成長戦略 …)
    title_words: tuple[str, ...] = ()  # the title words it used (they scope the question, they are not its topic)
    asks: str | None = None  # a kind of information: money, date, people, quantity, person, organization, location
    negated: bool = False  # 「半導体を挙げていない」「AI・半導体以外」
    wants_all: bool = False  # 「両方」: blocks that plan every field
    list_size: int | None = None  # 「17の戦略分野を全部」: the number the question expects
    followup: str | None = None  # ellipsis | reference | continuation
    place_notes: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()

    @property
    def has_entities(self) -> bool:
        return bool(self.blocks or self.fields or self.sections)

    @property
    def anchored(self) -> bool:
        """Something in the question is in the documents, so unknown words are just paraphrase."""
        return bool(self.has_entities or self.phrases or self.topics or self.quoted or self.documents)


def _cues(norm: str) -> tuple[str, ...]:
    names = ("count", "compare", "which", "explain", "define", "list", "continue", "reference")
    patterns = (COUNT, COMPARE, WHICH, WHY, DEFINE, LIST, CONTINUE, REFERENCE)
    return tuple(n for n, p in zip(names, patterns) if p.search(norm))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


# Share of a heading's character bigrams the question must contain: 「分野横断的な課題」 names 分野横断的課題.
HEADING_COVERAGE = 0.8


def _heading_keys(heading: str) -> set[str]:
    """How a heading may be named: as written, without a leading count (17の), without an 「〜別」 qualifier."""
    key = squash(heading)
    keys = {key, re.sub(r"^\d+の?", "", key), re.sub(r"^.+?別", "", key)}
    return {k for k in keys if len(k) >= 2}


# A heading is also named by a long enough stretch of it: 「洗い出された課題」 for 17の戦略分野から洗い出された課題.
MIN_HEADING_PART = 6


def _common_run(a: str, b: str) -> int:
    """Length of the longest common substring."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def _sections(norm_sq: str, plan: PlanView) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Non-region blocks whose name or sub-heading the question names (凡例, 分野横断的課題 …),
    and the heading it named. A heading named in full beats one named in part; longer beats shorter."""
    q = _bigrams(norm_sq)
    found: list[tuple[int, int, str, str]] = []  # (full?, length, block, heading)
    for block in plan.others():
        for heading in dict.fromkeys((block.name, *block.headings)):
            for key in _heading_keys(heading):
                grams = _bigrams(key)
                if len(grams & q) >= HEADING_COVERAGE * len(grams):
                    found.append((1, len(key), block.name, heading))
                elif (part := _common_run(key, norm_sq)) >= MIN_HEADING_PART:
                    found.append((0, part, block.name, heading))
    if not found:
        return (), ()
    best = max((full, length) for full, length, _, _ in found)
    top = [(name, heading) for full, length, name, heading in found if (full, length) == best]
    return tuple(dict.fromkeys(n for n, _ in top)), tuple(dict.fromkeys(h for _, h in top))


def _noun_runs(norm: str, tok: Tokenizer) -> list[tuple[str, list]]:
    """Compound nouns of the question (runs of nouns, prefixes, suffixes and ・), with their tokens."""
    runs: list[tuple[str, list]] = []
    run: list = []
    for t in [*tok.tokens(norm), None]:
        if t is not None and (t.pos in NOUNISH or t.surface == "・") and t.surface.strip():
            if run and t.begin != run[-1].end:
                runs.append(("".join(x.surface for x in run), run))
                run = []
            run.append(t)
            continue
        if run:
            runs.append(("".join(x.surface for x in run), run))
            run = []
    return runs


CUE_PATTERNS = (COUNT, COMPARE, WHICH, WHY, DEFINE, CONTINUE, REFERENCE, *(cue for cue, _ in ASKS.values()))
# 形状詞 too: Sudachi tags サイバー as one.
CONTENT_POS = ("名詞", "形状詞")
NOUNISH = (*CONTENT_POS, "接頭辞", "接尾辞")
FOCUS_PARTICLES = {"は", "が", "って", "とは", "について", "には", "って何"}


def _is_kana_word(text: str) -> bool:
    return bool(re.fullmatch(r"[ぁ-ゖー]+", text))


def understand(
    question: str, plan: PlanView, vocab: FieldVocabulary, tok: Tokenizer, corpus_sq: str, readings=None
) -> Understanding:
    norm = normalize(translate_terms(normalize(question))).strip()
    if readings is not None:
        norm = normalize(readings.convert(norm))
    norm_sq = squash(norm)
    places = find_places(norm)
    blocks = tuple(dict.fromkeys(b for p in places for b in p.blocks if plan.region(b)))
    blocks += tuple(b for b in plan.names_in(norm) if b not in blocks)  # the documents' own block names
    notes = tuple(
        f"{p.surface}→{'・'.join(p.blocks)}"
        for p in places
        if p.via in ("prefecture", "city", "region") and p.blocks != (p.surface,)
    )
    fields = list(vocab.find(norm))
    place_keys = {squash(p.surface) for p in places} | {squash(b) for b in blocks}
    field_keys = {normalize(s) for f in fields for s in vocab.surfaces(f)}

    # The documents' own noun phrases: a phrase that contains a field name but is not an item
    # (フィジカルAI, エネルギー安全保障) means the phrase, not the field.
    phrases, topics, unknown, unknown_names = [], [], [], []
    tokens = tok.tokens(norm)
    following = {t.begin: (tokens[k + 1].surface if k + 1 < len(tokens) else "") for k, t in enumerate(tokens)}
    for text, run in _noun_runs(norm, tok):
        core = [t for t in run]
        while core and (core[0].surface in GENERIC or core[0].pos not in CONTENT_POS):
            core.pop(0)
        while core and (core[-1].surface in GENERIC or core[-1].pos not in CONTENT_POS):
            core.pop()
        text = "".join(t.surface for t in core)  # 「防災分野の」 → 防災
        key = squash(text)
        if len(key) >= 3 and key in corpus_sq and key not in field_keys and key not in place_keys and text not in GENERIC:
            if not vocab.is_item_text(key):
                phrases.append(text)
                fields = [f for f in fields if not any(squash(s) in key for s in vocab.surfaces(f))]
        for t in run:
            surface = t.surface.strip()
            if t.pos not in CONTENT_POS or len(surface) < 2 or surface.isascii() or _is_kana_word(surface):
                continue
            if surface in GENERIC or t.normalized in GENERIC or squash(surface) in place_keys:
                continue
            if any(squash(surface) in k or k in squash(surface) for k in field_keys if len(k) >= 2):
                continue
            if any(p.search(surface) for p in CUE_PATTERNS):
                continue  # 共通点, 理由 …: how the question asks, not what about
            if squash(surface) in corpus_sq:
                topics.append(surface)
            else:
                unknown.append(surface)
                # Decisive even when the question also names a block: a proper name the documents never
                # mention, or the question's topic itself (「工場は」「量子は」「天気は」).
                if t.kind or following.get(t.begin) in FOCUS_PARTICLES:
                    unknown_names.append(surface)
    sections, headings = _sections(norm_sq, plan) if not blocks else ((), ())
    quoted = tuple(q for q in re.findall(r"[「『\"](.+?)[」』\"]", norm) if squash(q) in corpus_sq)
    # A question that names a document by its title (「成長戦略で…」) is scoped to it. Only title words
    # that are not also words of the text count: 危機管理投資 is content, 成長戦略 names the document.
    named = [
        (doc_id, part) for doc_id, title in plan.titles.items() for part in re.split(r"[の（）()、・\s]+", title)
        if len(part) >= 4 and squash(part) in norm_sq and squash(part) not in corpus_sq
    ]
    documents = tuple(dict.fromkeys(d for d, _ in named))
    title_words = {squash(p) for _, p in named}
    topics = [t for t in topics if not any(squash(t) in w for w in title_words)]
    phrases = [p for p in phrases if not any(squash(p) in w for w in title_words)]
    cues = _cues(norm)
    asks = next((kind for kind, (cue, _) in ASKS.items() if cue.search(norm)), None)
    if asks == "location" and not blocks:
        asks = None  # 「どこ」 without a block asks which blocks
    # 「17の戦略分野を全部」: a section whose heading is itself a count expects that many items.
    size = next((re.match(r"(\d+)の?[^のからをへ]+$", h) for h in headings if ENUMERATE.search(norm)), None)
    u = Understanding(
        question=question,
        normalized=norm,
        intent="general",
        blocks=blocks,
        fields=tuple(fields),
        sections=sections,
        headings=headings,
        phrases=tuple(dict.fromkeys(phrases)),
        topics=tuple(dict.fromkeys(topics)),
        unknown_terms=tuple(dict.fromkeys(unknown)),
        unknown_names=tuple(dict.fromkeys(unknown_names)),
        quoted=quoted,
        documents=documents,
        title_words=tuple(title_words),
        asks=asks,
        negated=bool(NEGATE.search(norm)),
        wants_all=bool(BOTH.search(norm)),
        list_size=int(size.group(1)) if size else None,
        place_notes=notes,
        cues=cues,
    )
    return replace(u, intent=classify(u, plan))


def _narrative_topic(u: Understanding, plan: PlanView) -> bool:
    """The question names something a block says outside its list of fields (一大拠点, 技術基盤 …)."""
    words = [squash(w) for w in (*u.phrases, *u.topics)]
    for name in u.blocks:
        block = plan.region(name)
        if block is None:
            continue
        prose = squash("".join(s.span.text for s in block.sentences))
        items = squash("".join(i.span.text for i in block.items))
        if any(w and w in prose and w not in items and w not in squash(name) for w in words):
            return True
    return False


def classify(u: Understanding, plan: PlanView | None = None) -> str:
    c = set(u.cues)
    if "count" in c and (u.blocks or u.fields or u.sections or re.search(r"ブロック|地域|block|region|分野", u.normalized)):
        return "count"
    if len(u.blocks) >= 2 and not u.fields:
        return "explain" if "explain" in c and "compare" not in c else "compare"
    if "explain" in c or u.quoted or ("define" in c and not u.blocks and not u.sections):
        return "explain"
    if u.blocks and plan is not None and _narrative_topic(u, plan):
        return "explain"
    if u.blocks and u.fields:
        return "block_field"
    if u.blocks:
        return "block_items"
    if u.fields:
        return "which_blocks"
    if u.phrases and ("which" in c or re.search(r"ブロック|地域|地方", u.normalized)):
        return "which_blocks"  # blocks whose text mentions a phrase (経済安全保障への貢献)
    if u.sections:
        return "section"
    return "general"
