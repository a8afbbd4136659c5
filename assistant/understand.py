"""Question → Understanding: what the question is about, and which kind of answer it wants.

Three steps, each in its own function:
1. `extract`: entities from the question alone — units of plan documents (by name, by place, by a
   homophone slip), fields (by name, alias, whole item, slip, or meaning), headings of other parts,
   the documents' own noun phrases, words the documents never use, documents named by title, and the
   kind of information asked (an amount, a date …). Cue words only say how the question asks.
2. `assistant.history.merge` and `assistant.scope.apply` add what earlier turns carry and drop plan
   semantics where the question is about another document (both on `Entities`).
3. `classify`: the intent, decided once, from the final entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from corpus.text import Token, normalize, squash
from assistant.knowledge import Knowledge
from assistant.profile import DocKind
from assistant.question import Question
from assistant.types import Intent

# 形状詞 too: Sudachi tags サイバー as one.
CONTENT_POS = ("名詞", "形状詞")
NOUNISH = (*CONTENT_POS, "接頭辞", "接尾辞")
FOCUS_PARTICLES = {"は", "が", "って", "とは", "について", "には", "って何"}
# Share of a heading's character bigrams the question must contain: 「分野横断的な課題」 names 分野横断的課題.
HEADING_COVERAGE = 0.8
# A heading is also named by a long enough stretch of it: 「洗い出された課題」 for 17の戦略分野から洗い出された課題.
MIN_HEADING_PART = 6
# How the question asks, as opposed to what it is about: these cue words are never topics.
_HOW_CUES = ("count", "compare", "which", "why", "define", "continue", "reference", "most", "fewest", "difference")


@dataclass(frozen=True)
class Entities:
    question: Question
    units: tuple[str, ...] = ()  # unit names (of plan documents)
    fields: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # other parts whose heading the question names
    headings: tuple[str, ...] = ()  # the heading named (a part's name or one of its sub-headings)
    phrases: tuple[str, ...] = ()  # the documents' own noun phrases the question uses (フィジカルAI)
    topics: tuple[str, ...] = ()  # content words of the question that the documents contain
    unknown_terms: tuple[str, ...] = ()  # content words the documents never mention
    unknown_names: tuple[str, ...] = ()  # decisive ones: proper names, or the topic of the sentence
    unknown_compounds: tuple[str, ...] = ()  # compound nouns the documents lack although their parts occur (量子技術)
    unknown_focus: tuple[str, ...] = ()  # words the documents lack in what the question is about (ラピダスの工場は)
    quoted: tuple[str, ...] = ()  # 「…」 phrases of the question found in the documents
    documents: tuple[str, ...] = ()  # doc_ids whose title the question names
    title_words: tuple[str, ...] = ()  # those title words (they scope the question, they are not its topic)
    asks: str | None = None  # a kind of information (see assistant/lexicon/asks.toml)
    cues: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()  # how names were read (a prefecture → its unit, a slip → the name, a paraphrase → a field)
    unit_noun_named: bool = False  # the question uses a plan's own unit noun (from its profile)
    unit_surfaces: tuple[str, ...] = ()  # how the question wrote the units it names (a prefecture, a nickname)
    field_surfaces: tuple[str, ...] = ()  # how it wrote the fields found in the vocabulary (a paraphrase of a field)
    # Set by history.merge:
    followup: str | None = None  # ellipsis | reference | continuation | narrow
    carried: tuple[str, ...] = ()  # what was taken from earlier turns (shown as a chip in the UI)
    hint: Intent | None = None  # the intent an ellipsis keeps from the previous turn
    within: tuple[str, ...] = ()  # narrow: the units of the previous answer
    # Set by scope.apply:
    scope: tuple[str, ...] = ()  # documents the answer may use (empty: all)
    plan_context: bool = False  # the question is about a plan with units (its first hit, or its unit noun)
    first_doc: str | None = None  # the document holding the first hit
    absent: tuple[str, ...] = ()  # fields asked of a document named by title whose units do not list them

    @property
    def norm(self) -> str:
        return self.question.norm

    @property
    def has_entities(self) -> bool:
        return bool(self.units or self.fields or self.sections)

    @property
    def anchored(self) -> bool:
        """Something in the question is in the documents, so unknown words are just paraphrase."""
        return bool(self.has_entities or self.phrases or self.topics or self.quoted or self.documents)

    def cue(self, name: str) -> bool:
        return name in self.cues


@dataclass(frozen=True)
class Understanding(Entities):
    intent: Intent = Intent.GENERAL
    negated: bool = False  # 「Xを挙げていない」「X以外」
    wants_all: bool = False  # 「両方」: units that list every field
    list_size: int | None = None  # 「17の戦略分野を全部」: the number the question expects
    rank: str | None = None  # most | fewest
    pair: tuple[str, ...] = field(default=())  # two terms set against each other (difference)

    @property
    def normalized(self) -> str:
        return self.question.norm


# --- step 1: entities ---------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _heading_keys(heading: str) -> set[str]:
    """How a heading may be named: as written, without a leading count (17の), without an 「〜別」 qualifier."""
    key = squash(heading)
    keys = {key, re.sub(r"^\d+の?", "", key), re.sub(r"^.+?別", "", key), key.replace("の", "")}
    return {k for k in keys if len(k) >= 2}


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


def _sections(q: Question, kb: Knowledge, title_words: set[str] = frozenset()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Parts that are not units whose name or sub-heading the question names (凡例, 分野横断的課題 …),
    and the heading it named. A heading named in full beats one named in part; longer beats shorter."""
    norm_sq = q.squashed
    for word in title_words:  # 「A市X計画のY」: the title names the document, not a heading
        norm_sq = norm_sq.replace(word, "\x00")
    grams = _bigrams(norm_sq)
    found: list[tuple[int, int, str, str]] = []  # (full?, length, part, heading)
    for part in kb.plan.others():
        if kb.profile(part.doc_id).kind is DocKind.PROSE:
            continue  # an article's only part is the article itself: its title is no section to list
        for heading in dict.fromkeys((part.name, *part.headings)):
            for key in _heading_keys(heading):
                hg = _bigrams(key)
                if len(hg & grams) >= HEADING_COVERAGE * len(hg):
                    found.append((1, len(key), part.name, heading))
                elif (run := _common_run(key, norm_sq)) >= MIN_HEADING_PART:
                    found.append((0, run, part.name, heading))
    if not found:
        return (), ()
    best = max((full, length) for full, length, _, _ in found)
    top = [(name, heading) for full, length, name, heading in found if (full, length) == best]
    return tuple(dict.fromkeys(n for n, _ in top)), tuple(dict.fromkeys(h for _, h in top))


def _noun_runs(q: Question) -> list[list[Token]]:
    """Compound nouns of the question (runs of nouns, prefixes, suffixes and ・)."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for t in [*q.tokens, None]:
        if t is not None and (t.pos in NOUNISH or t.surface == "・") and t.surface.strip():
            if run and t.begin != run[-1].end:
                runs.append(run)
                run = []
            run.append(t)
            continue
        if run:
            runs.append(run)
            run = []
    return runs


def noun_phrases(q: Question, lexicon) -> list[str]:
    """The question's compound nouns without generic words at either end (「防災分野の」 → 防災)."""
    out = []
    for run in _noun_runs(q):
        core = list(run)
        while core and (core[0].surface in lexicon.generic or core[0].pos not in CONTENT_POS):
            core.pop(0)
        while core and (core[-1].surface in lexicon.generic or core[-1].pos not in CONTENT_POS):
            core.pop()
        if core:
            out.append(q.norm[core[0].begin : core[-1].end])
    return out


def _in_compound(q: Question, pos: int) -> bool:
    """Whether the one-character word at `pos` is joined to a neighbouring noun (クルーズ船), as opposed to
    standing alone or in a list (食や観光, 食・観光)."""
    for t in q.tokens:
        touching = t.end == pos or t.begin == pos + 1
        if touching and t.pos in NOUNISH and t.surface not in ("・", "、"):
            return True
    return False


def _focus(q: Question) -> list[Token]:
    """The noun phrase the question is about: the nouns before its first topic particle (は, が, とは), with
    the nouns they are joined to by の (「審議会の名前は」 → 審議会, 名前)."""
    tokens = list(q.tokens)
    for k, t in enumerate(tokens):
        if t.surface not in FOCUS_PARTICLES or k == 0 or tokens[k - 1].pos not in NOUNISH:
            continue
        out: list[Token] = []
        j = k - 1
        while j >= 0:
            if tokens[j].pos in NOUNISH:
                out.insert(0, tokens[j])
                j -= 1
            elif tokens[j].surface == "の" and j > 0 and tokens[j - 1].pos in NOUNISH:
                j -= 1
            else:
                break
        return out
    return []


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first, last) index of every run of True."""
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def _known_parts(t: Token, kb: Knowledge) -> bool:
    """A compound word made of words the documents use (検討中 = 検討 + 中) is known, though the documents
    never write it whole; one with a part they never use (量子技術) is not."""
    parts = [p for p in kb.tokenizer.tokens(t.surface, fine=True) if p.pos in CONTENT_POS and len(p.surface) >= 2]
    return len(parts) >= 1 and len(parts) < len(t.surface) and all(
        kb.in_documents(p.surface) or kb.in_documents(p.normalized) for p in parts
    ) and sum(len(p.surface) for p in parts) >= len(t.surface) - 1


def _known_ending(t: Token, kb: Knowledge) -> str:
    """The ending of a compound name that the documents use, when it is most of the name (静岡市葵区 of
    静岡県静岡市葵区: the documents leave out the prefecture), else ""."""
    surface = t.surface.strip()
    parts = kb.tokenizer.tokens(surface, fine=True)
    for p in parts[1:]:
        ending = surface[p.begin :]
        if len(ending) >= max(3, (len(surface) + 1) // 2) and kb.in_documents(ending):
            return ending
    return ""


def _decisive(word: str) -> bool:
    """Whether an unknown word can carry a question: a proper name or a term (kanji, katakana, Latin),
    not a word inflected with kana (扱い, 見込み), which the documents would phrase otherwise."""
    return not re.search(r"[ぁ-ゖ]", word)


def _is_kana_word(text: str) -> bool:
    return bool(re.fullmatch(r"[ぁ-ゖー]+", text))


def _slips(q: Question, kb: Knowledge, taken: list[bool]) -> list[tuple[int, int, str]]:
    """Names written with a homophone slip (九洲, 北海堂, 蓄電地): one to three words whose reading is a
    unit's or field's name, where nothing else was found."""
    out = []
    tokens = q.tokens
    for i in range(len(tokens)):
        for j in range(min(len(tokens), i + 3), i, -1):
            span = tokens[i:j]
            start, end = span[0].begin, span[-1].end
            if any(taken[start:end]) or not all(t.pos in NOUNISH or _is_kana_word(t.surface) for t in span):
                continue  # kana typed without conversion is cut oddly (もじ/こう): its words need not be nouns
            if len(span) == 1 or kb.in_documents(q.norm[start:end]):
                continue  # one dictionary word (吸収) or a word of the documents is what it says, not a slip
            name = kb.names.get("".join(t.reading for t in span))
            if name and squash(name) != squash(q.norm[start:end]):
                out.append((start, end, name))
                taken[start:end] = [True] * (end - start)
                break
    return out


def _variants(q: Question, kb: Knowledge, taken: list[bool]) -> list[tuple[int, int, str]]:
    """Fields written in a spelling the documents do not use: Sudachi's normalised forms fold the
    variants (アンモニヤ → アンモニア); and a one-character slip in a name of three or more characters
    with its first character right (アンモニヤ, 蓄電他), the nearest name by edit distance."""
    out = []
    for run in _noun_runs(q):
        start, end = run[0].begin, run[-1].end
        if any(taken[start:end]):
            continue
        variant = normalize("".join(t.normalized for t in run))
        found = [m for m in kb.vocab.find(variant)] if squash(variant) != squash(q.norm[start:end]) else []
        if not found:
            local = frozenset(b - start for b in q.bounds if start <= b <= end)
            found = [m for m in kb.vocab.find(_nearest_names(q.norm[start:end], kb, local))]
        for m in found:
            out += [(start, end, f) for f in m.value]
        if found:
            taken[start:end] = [True] * (end - start)
    return out


def _nearest_names(text: str, kb: Knowledge, bounds: frozenset[int]) -> str:
    """`text` with every window that is one character away from a field name replaced by that name; a
    window starts and ends on a word boundary (ロワット inside キロワット is no slip of ロボット)."""
    out = text
    for length, names in kb.names.by_length.items():
        for pos in range(len(text) - length + 1):
            if pos not in bounds or pos + length not in bounds:
                continue
            window = text[pos : pos + length]
            for name in names.get(window[0], ()):
                if sum(a != b for a, b in zip(window, name)) == 1:
                    out = out.replace(window, name)
    return out


def _units(q: Question, kb: Knowledge, taken: list[bool]) -> tuple[list[str], list[str]]:
    """Unit names in the question: as written, through a place (a prefecture → the unit holding it, where
    the plan's units are regions), or mistyped. Returns the units and notes on how they were read."""
    units: list[tuple[int, str]] = []
    notes: list[str] = []
    for start, end, name in kb.plan.names_in(q.norm, q.bounds):
        units.append((start, name))
        taken[start:end] = [True] * (end - start)
    regional = kb.plan.regional_names
    for place in kb.places.find(q.norm, q.bounds):
        if any(taken[place.start : place.end]):
            continue
        named = [r for r in place.regions if r in regional]
        if not named:
            continue
        units += [(place.start, r) for r in named]
        taken[place.start : place.end] = [True] * (place.end - place.start)
        if place.via != "region" and named != [place.surface]:
            notes.append(f"{place.surface}→{'・'.join(named)}")
    ordered = [n for _, n in sorted(units)]
    return list(dict.fromkeys(ordered)), notes


def _titles(q: Question, kb: Knowledge) -> tuple[list[str], set[str]]:
    """Documents the question names by a word of their title (横浜市の計画, 成長戦略, クラスター計画 for
    戦略産業クラスター計画): a title's compound noun, one of its endings of two words or more, or a proper
    name that no other title shares, on word boundaries, and that no other document's text uses (there it
    is an ordinary word) unless it is a proper name. The words returned scope the question and are not its
    topic, unless the document's own text uses them (「成長投資とは？」 asks about 成長投資)."""
    proper = {squash(t.surface) for t in q.tokens if t.kind}
    documents: list[str] = []
    words: set[str] = set()
    for key, docs, elsewhere, own in kb.title_words:
        if len(docs) != 1 or (elsewhere and key not in proper):
            continue
        pos = q.squashed.find(key)
        if pos >= 0 and (key in proper or pos in _squashed_bounds(q)):
            documents += docs
            if not own or key in proper:
                words.add(key)
    return list(dict.fromkeys(documents)), words


def _squashed_bounds(q: Question) -> frozenset[int]:
    """Word boundaries in the squashed question (white space removed)."""
    out, gap = set(), 0
    for t in q.tokens:
        if not t.surface.strip():
            gap += len(t.surface)
            continue
        out.add(t.begin - gap)
        out.add(t.end - gap)
    return frozenset(out)


def extract(q: Question, kb: Knowledge) -> Entities:
    lex = kb.lexicon
    cues = frozenset(name for name, pattern in lex.cues.items() if pattern.search(q.norm))
    taken = [False] * len(q.norm)
    units, notes = _units(q, kb, taken)
    surfaces = tuple(q.norm[i : j + 1] for i, j in _runs(taken))
    fields: list[str] = []
    field_surfaces: list[str] = []
    for m in kb.vocab.find(q.norm, q.bounds):
        if any(taken[m.start : m.end]):
            continue
        if m.end - m.start == 1 and _in_compound(q, m.start):
            continue  # 船 in クルーズ船, 食 in 食品: one character inside a longer noun is not that field
        fields += [f for f in m.value if f not in fields]
        field_surfaces.append(q.norm[m.start : m.end])
        taken[m.start : m.end] = [True] * (m.end - m.start)
    for start, end, name in _variants(q, kb, taken) + _slips(q, kb, taken):
        if name in kb.vocab.fields:
            fields.append(name)
        elif kb.plan.unit(name):
            units.append(name)
        notes.append(f"{q.norm[start:end]}→{name}")
    place_keys = {squash(u) for u in units} | {squash(p.surface) for p in kb.places.find(q.norm, q.bounds)}
    field_keys = {squash(s) for f in fields for s in kb.vocab.surfaces(f)}
    documents, title_words = _titles(q, kb)

    phrases: list[str] = []
    topics: list[str] = []
    compounds: list[str] = []
    unknown: list[str] = []
    unknown_names: list[str] = []
    focus_words: list[str] = []
    how = [lex.cues[c] for c in _HOW_CUES] + [p for k in lex.kinds.values() for p in (k.cue, k.weak_cue)]
    for run in _noun_runs(q):
        core = list(run)
        while core and (core[0].surface in lex.generic or core[0].pos not in CONTENT_POS):
            core.pop(0)
        while core and (core[-1].surface in lex.generic or core[-1].pos not in CONTENT_POS):
            core.pop()
        text = "".join(t.surface for t in core)  # 「防災分野の」 → 防災
        key = squash(text)
        if len(key) >= 3 and kb.in_documents(key) and key not in field_keys and key not in place_keys and text not in lex.generic:
            if not kb.vocab.is_item_text(key):
                # A phrase that contains a field name but is no item (フィジカルAI) means the phrase.
                phrases.append(text)
                fields = [f for f in fields if not any(squash(s) in key for s in kb.vocab.surfaces(f))]
        run_unknown = []
        for t in run:
            surface = t.surface.strip()
            if t.pos not in CONTENT_POS or len(surface) < 2 or surface.isascii() or _is_kana_word(surface):
                continue
            if any(taken[t.begin : t.end]):
                continue  # part of a unit or field already found
            if surface in lex.generic or t.normalized in lex.generic or squash(surface) in place_keys:
                continue
            if any(k and (squash(surface) in k or k in squash(surface)) for k in field_keys if len(k) >= 2):
                continue
            if any(p.search(surface) for p in how) or squash(surface) in title_words:
                continue
            if kb.in_documents(surface) or kb.in_documents(t.normalized) or _known_parts(t, kb):
                topics.append(surface if kb.in_documents(surface) else t.normalized)
            elif ending := _known_ending(t, kb):
                topics.append(ending)
            else:
                run_unknown.append(t)
        if run_unknown and len(core) > 1 and not kb.in_documents(key):
            compounds.append(text)
        if run_unknown:
            # A topic the documents never name may still mean one of the plans' fields (a paraphrase of a field).
            words = [t for t in run if t.pos in NOUNISH and t.surface not in lex.generic]
            phrase = "".join(t.surface for t in words) or "".join(t.surface for t in run_unknown)
            # Not for a proper name (金山観光 is a place's tourism, not tourism) nor next to a field already found.
            meaningful = kb.vocab.fields and not units and not any(t.kind for t in run_unknown)
            meaningful = meaningful and not any(taken[run[0].begin : run[-1].end])
            meaningful = meaningful and not any(ch.isdigit() or ch == "何" for ch in phrase)  # 何万キロワット is a figure
            meant = kb.meaning.nearest(phrase) if meaningful else None
            if meant is not None:
                fields.append(meant[0])
                notes.append(f"{phrase}→{meant[0]}")
                continue
            for t in run_unknown:
                unknown.append(t.surface)
                # Decisive even when the question also names a unit: a proper name the documents never
                # mention. The question's topic itself (「工場は」「天気は」) is decisive about a plan (see
                # decline.unknown_words); about prose, the passages found decide (著者 for 著作を著した).
                if t.kind:
                    unknown_names.append(t.surface)
                elif q.following(t) in FOCUS_PARTICLES and _decisive(t.surface):
                    focus_words.append(t.surface)
    # A time or figure the question states (令和13年度, 2040年) that no document states: not answered there.
    for m in re.finditer(r"(?:令和|平成|昭和)?\d+(?:\.\d+)?(?:年度|年|月|日|億円|万円|円|万人|人|件|%|％)", q.norm):
        if not kb.in_documents(m.group(0)):
            unknown_names.append(m.group(0))
    focus_unknown = [*focus_words, *(t.surface for t in _focus(q) if t.surface in unknown and _decisive(t.surface))]
    sections, headings = _sections(q, kb, title_words) if not units else ((), ())
    quoted = tuple(x for x in q.quoted if kb.in_documents(x))
    topics = [t for t in topics if not any(squash(t) in w for w in title_words)]
    phrases = [p for p in phrases if not any(squash(p) in w for w in title_words)]
    asks = next((k.name for k in lex.kinds.values() if k.cue.search(q.norm)), None) or next(
        (k.name for k in lex.kinds.values() if k.weak_cue.search(q.norm)), None)
    if asks == "location" and not units:
        asks = None  # 「どこで検討されている？」 without a unit asks which units: they are the places
    if asks == "name" and any(t.surface in lex.kinds["person"].words for t in q.tokens):
        asks = "person_name"  # 「市長の名前」: a person's name, which a role does not give
    nouns = {kb.profile(d).unit_noun for d in kb.profiles if kb.profile(d).unit_noun}
    return Entities(
        question=q,
        units=tuple(units),
        fields=tuple(dict.fromkeys(fields)),
        sections=sections,
        headings=headings,
        phrases=tuple(dict.fromkeys(phrases)),
        topics=tuple(dict.fromkeys(topics)),
        unknown_terms=tuple(dict.fromkeys(unknown)),
        unknown_names=tuple(dict.fromkeys(unknown_names)),
        unknown_compounds=tuple(c for c in dict.fromkeys(compounds) if not any(squash(c) in squash(n) for n in notes)),
        unknown_focus=tuple(dict.fromkeys(focus_unknown)),
        quoted=quoted,
        documents=tuple(documents),
        title_words=tuple(sorted(title_words)),
        asks=asks,
        cues=cues,
        notes=tuple(notes),
        unit_noun_named=any(n in q.norm for n in nouns),
        unit_surfaces=surfaces,
        field_surfaces=tuple(dict.fromkeys(field_surfaces)),
    )


# --- step 3: the intent -------------------------------------------------------------------------------


def _narrative_topic(e: Entities, kb: Knowledge) -> bool:
    """The question asks a unit about something other than its list (its reasons, its challenges, its
    outlook): a topic of the unit's document that the unit's items do not name."""
    words = [squash(w) for w in (*e.phrases, *e.topics)]
    for name in e.units:
        unit = kb.plan.unit(name, e.scope or None)
        if unit is None:
            continue
        items = squash("".join(i.span.text for i in unit.items))
        if any(w and w not in items and w not in squash(name) and kb.in_document(unit.doc_id, w) for w in words):
            return True
    return False


def _beyond_units(e: Entities, kb: Knowledge) -> bool:
    """The question's topic is something no unit of the plans lists or says (a fund, a share, a target):
    its field word only qualifies it (「スタートアップ向けのファンドの規模」), so a passage answers, not a list."""
    docs = {d for f in e.fields for d in kb.vocab.documents(f)} or None
    # The text index finds the chunks holding a word, so no unit's text is read (a plan may have 100k).
    return any(not kb.plan.units_holding(kb.chunks_with(w), docs) for w in (*e.topics, *e.phrases) if len(squash(w)) >= 2)


def _pair(e: Entities) -> tuple[str, ...]:
    """Two terms of the documents set against each other: 「危機管理投資と成長投資の違い」."""
    terms = [*e.quoted, *e.phrases, *e.topics]
    terms = [t for t in dict.fromkeys(terms) if not any(t != o and t in o for o in terms)]
    return tuple(terms[:2]) if len(terms) >= 2 else ()


def titled_documents(e: Entities, kb: Knowledge) -> list[str]:
    """Documents whose title holds one of the question's own words (2+ characters, not generic), in the
    order the question names them."""
    found: dict[str, int] = {}
    for w in (*e.topics, *e.phrases):
        if len(w) < 2 or w in kb.lexicon.generic or any(ch.isdigit() for ch in w):
            continue
        for d, title in kb.plan.titles.items():
            if w in title:
                found.setdefault(d, e.question.norm.find(w))
    return sorted(found, key=found.get)


def _outline_shape(e: Entities, kb: Knowledge) -> Intent | None:
    """A question about a document of headed sections without units (a platform, a report): where something
    is written, a part's main points, or a complete list are answered from the heading tree."""
    c = e.cues
    if e.units or e.first_doc is None or kb.profile(e.first_doc).kind is not DocKind.OVERVIEW:
        return None
    if any(kb.profile(d).has_units for d in e.scope) or e.unit_noun_named:
        return None
    if "locate" in c:
        return Intent.WHERE
    if c & {"compare", "both", "each"} and len(titled_documents(e, kb)) >= 2:
        return Intent.SIDE_BY_SIDE
    if "why" in c and "compare" not in c:
        # about something in the document; 「この戦略の狙いは？」 (only its title) is about the document as a whole
        return Intent.REASONS if e.topics or e.phrases or e.quoted else None
    titles = [kb.plan.titles[d] for d in titled_documents(e, kb)]
    asked = e.asks is not None and any(not any(m.group(0) in t for t in titles)  # 「予算と財源のファイル」 names a file
                                       for m in kb.lexicon.kinds[e.asks].cue.finditer(e.question.norm))
    if "overview" in c and "compare" not in c and not asked:
        # 「予算のファイルを要約して」: the part's points (予算 only hints at an amount); 「全体の投資規模は何兆円？」 asks one
        return Intent.OUTLINE
    if "compare" in c or e.asks:
        return None
    if "enumerate" in c:
        return Intent.ITEMS
    return None


def classify(e: Entities, kb: Knowledge) -> Understanding:
    c = e.cues
    size = next((re.match(r"(\d+)の?[^のからをへ]+$", h) for h in e.headings if "enumerate" in c), None)
    u = Understanding(
        **{f: getattr(e, f) for f in Entities.__dataclass_fields__},
        negated="negate" in c,
        wants_all="both" in c,
        list_size=int(size.group(1)) if size else None,
        rank="most" if "most" in c else ("fewest" if "fewest" in c else None),
    )
    plan_words = bool(e.units or e.fields or e.sections or e.unit_noun_named)
    shape = _outline_shape(e, kb)
    if shape is not None:
        return replace(u, intent=shape)
    if "count" in c and plan_words and not u.rank:
        intent = Intent.COUNT
    elif u.rank and (e.unit_noun_named or e.fields or e.units):
        intent = Intent.RANK
    elif "difference" in c and not e.units and len(pair := _pair(e)) == 2:
        return replace(u, intent=Intent.DIFFERENCE, pair=pair)
    elif len(e.units) >= 2 and not e.fields:
        intent = Intent.EXPLAIN if "why" in c and "compare" not in c else Intent.COMPARE
    elif e.hint is not None and not (c & {"count", "compare", "why", "which"}):
        intent = e.hint
    elif "why" in c or e.quoted or ("define" in c and not e.units and not e.sections):
        intent = Intent.EXPLAIN
    elif e.units and _narrative_topic(e, kb):
        intent = Intent.EXPLAIN
    elif e.units and e.fields:
        intent = Intent.UNIT_FIELD
    elif e.units:
        intent = Intent.UNIT_ITEMS
    elif e.fields and (e.asks or _beyond_units(e, kb)):
        intent = Intent.GENERAL
    elif e.fields:
        intent = Intent.WHICH_UNITS
    elif e.phrases and e.plan_context and ("which" in c or e.unit_noun_named):
        intent = Intent.WHICH_UNITS  # units whose text mentions a phrase (経済安全保障への貢献)
    elif e.sections and not e.asks:
        intent = Intent.SECTION
    else:
        intent = Intent.GENERAL
    if intent is Intent.UNIT_ITEMS and "continue" in c and e.followup == "continuation":
        intent = Intent.DETAIL
    return replace(u, intent=intent)
