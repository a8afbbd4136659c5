"""Names in the question: units (as written, through a place, or mistyped), fields written in another
spelling or with a slip, and documents named by a word of their title."""

from __future__ import annotations

from corpus.text import normalize, squash
from assistant.knowledge import Knowledge
from assistant.understanding.read import Question
from assistant.understanding.words import NOUNISH, in_compound, is_kana_word, noun_runs

def _slips(q: Question, kb: Knowledge, taken: list[bool]) -> list[tuple[int, int, str]]:
    """Names written with a homophone slip (九洲, 北海堂, 蓄電地): one to three words whose reading is a
    unit's or field's name, where nothing else was found."""
    out = []
    tokens = q.tokens
    for i in range(len(tokens)):
        for j in range(min(len(tokens), i + 3), i, -1):
            span = tokens[i:j]
            start, end = span[0].begin, span[-1].end
            if any(taken[start:end]) or not all(t.pos in NOUNISH or is_kana_word(t.surface) for t in span):
                continue  # kana typed without conversion is cut oddly (もじ/こう): its words need not be nouns
            if len(span) == 1:
                continue  # one dictionary word (吸収) is what it says, not a slip
            name = kb.names.get("".join(t.reading for t in span))
            # nor is a word of the documents (looked up last: the name lookup is the cheap test)
            if name and squash(name) != squash(q.norm[start:end]) and not kb.in_documents(q.norm[start:end]):
                out.append((start, end, name))
                taken[start:end] = [True] * (end - start)
                break
    return out


def _variants(q: Question, kb: Knowledge, taken: list[bool]) -> list[tuple[int, int, str]]:
    """Fields written in a spelling the documents do not use: Sudachi's normalised forms fold the
    variants (アンモニヤ → アンモニア); and a one-character slip in a name of three or more characters
    with its first character right (アンモニヤ, 蓄電他), the nearest name by edit distance."""
    out = []
    for run in noun_runs(q):
        start, end = run[0].begin, run[-1].end
        if any(taken[start:end]):
            continue
        written = q.norm[start:end]
        variant = normalize("".join(t.normalized for t in run))
        found = [m for m in kb.vocab.find(variant)] if squash(variant) != squash(written) else []
        if not found:
            local = frozenset(b - start for b in q.bounds if start <= b <= end)
            slipped = _nearest_names(written, kb, local)
            found = [m for m in kb.vocab.find(slipped)] if slipped != written else []
        # a one-character name inside a word is not that name (食 in 給食費); one that is a word of its own is (船づくり)
        found = [m for m in found if m.end - m.start > 1 or {start + m.start, start + m.end} <= q.bounds]
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


def units_in(q: Question, kb: Knowledge, taken: list[bool]) -> tuple[list[str], list[str]]:
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


def titles_in(q: Question, kb: Knowledge) -> tuple[list[str], set[str], list[str]]:
    """Documents the question names by a word of their title (横浜市の計画, 成長戦略, クラスター計画 for
    戦略産業クラスター計画): a title's compound noun, one of its endings of two words or more, or a proper
    name that no other title shares, on word boundaries, and that no other document's text uses (there it
    is an ordinary word) unless it is a proper name. The words returned scope the question and are not its
    topic, unless the document's own text uses them (「成長投資とは？」 asks about 成長投資).
    A word of a collection's title (its hub's: 「Xのマニフェスト」) names the whole collection: its documents are
    returned third, and the word is never the topic."""
    proper = {squash(t.surface) for t in q.tokens if t.kind}
    collections = {frozenset(kb.plan.collections[name]) for name in kb.plan.hubs}
    documents: list[str] = []
    collection: list[str] = []
    words: set[str] = set()
    for key, docs, elsewhere, own in kb.title_words:
        whole = docs in collections
        if (len(docs) != 1 and not whole) or (elsewhere and key not in proper):
            continue
        pos = q.squashed.find(key)
        if pos >= 0 and (key in proper or pos in squashed_bounds(q)):
            if whole:
                collection += sorted(docs)
                words.add(key)
                continue
            documents += docs
            if not own or key in proper:
                words.add(key)
    return list(dict.fromkeys(documents)), words, list(dict.fromkeys(collection))


def squashed_bounds(q: Question) -> frozenset[int]:
    """Word boundaries in the squashed question (white space removed)."""
    out, gap = set(), 0
    for t in q.tokens:
        if not t.surface.strip():
            gap += len(t.surface)
            continue
        out.add(t.begin - gap)
        out.add(t.end - gap)
    return frozenset(out)


def fields_in(q: Question, kb: Knowledge, taken: list[bool]) -> tuple[list[str], list[str]]:
    """Fields named as the vocabulary writes them (a name or an alias), and how the question wrote them."""
    fields: list[str] = []
    surfaces: list[str] = []
    for m in kb.vocab.find(q.norm, q.bounds):
        if any(taken[m.start : m.end]):
            continue
        if m.end - m.start == 1 and in_compound(q, m.start):
            continue  # 船 in クルーズ船, 食 in 食品: one character inside a longer noun is not that field
        fields += [f for f in m.value if f not in fields]
        surfaces.append(q.norm[m.start : m.end])
        taken[m.start : m.end] = [True] * (m.end - m.start)
    return fields, surfaces


def misspelt(q: Question, kb: Knowledge, taken: list[bool], units: list[str], fields: list[str], notes: list[str]) -> None:
    """Fields and units written in another spelling or with a slip: added to `units`/`fields`, said in `notes`."""
    for start, end, name in _variants(q, kb, taken) + _slips(q, kb, taken):
        if name in kb.vocab.fields:
            fields.append(name)
        elif kb.plan.unit(name):
            units.append(name)
        notes.append(f"{q.norm[start:end]}→{name}")
