"""The question's own words against the documents: topics they use, phrases they repeat, and words they
never use (unknown terms; the decisive ones: proper names, the focus, compounds, times and figures)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.text import Token, squash
from assistant.knowledge import Knowledge
from assistant.understanding.read import Question
from assistant.understanding.words import CONTENT_POS, FOCUS_PARTICLES, NOUNISH, core_of, focus, is_kana_word, noun_runs

_HOW_CUES = ("count", "compare", "which", "why", "define", "continue", "reference", "most", "fewest", "difference", "both", "each",
             "enumerate", "overview", "locate", "across", "ordinal")


def known_parts(t: Token, kb: Knowledge) -> bool:
    """A compound word made of words the documents use (検討中 = 検討 + 中) is known, though the documents
    never write it whole; one with a part they never use (量子技術) is not."""
    parts = [p for p in kb.tokenizer.tokens(t.surface, fine=True) if p.pos in CONTENT_POS and len(p.surface) >= 2]
    return len(parts) >= 1 and len(parts) < len(t.surface) and all(
        kb.in_documents(p.surface) or kb.in_documents(p.normalized) for p in parts
    ) and sum(len(p.surface) for p in parts) >= len(t.surface) - 1


def known_ending(t: Token, kb: Knowledge) -> str:
    """The ending of a compound name that the documents use, when it is most of the name (静岡市葵区 of
    静岡県静岡市葵区: the documents leave out the prefecture), else ""."""
    surface = t.surface.strip()
    parts = kb.tokenizer.tokens(surface, fine=True)
    for p in parts[1:]:
        ending = surface[p.begin :]
        if len(ending) >= max(3, (len(surface) + 1) // 2) and kb.in_documents(ending):
            return ending
    return ""


def decisive(word: str) -> bool:
    """Whether an unknown word can carry a question: a proper name or a term (kanji, katakana, Latin),
    not a word inflected with kana (扱い, 見込み), which the documents would phrase otherwise."""
    return not re.search(r"[ぁ-ゖ]", word)


_HIRAGANA = re.compile(r"[ぁ-ゖー]+")


def is_term(t: Token, kb: Knowledge) -> bool:
    """A word made of two words or more (給食費 = 給食 + 費, 最低賃金), past any leading kana (お金 is one word):
    a term names a subject; a single word (学年, 手助け) the documents may say in other words."""
    parts = [p.surface for p in kb.tokenizer.tokens(t.surface, fine=True)]
    while parts and _HIRAGANA.fullmatch(parts[0]):
        parts.pop(0)
    return len(parts) >= 2


def asks_figure(run: list[Token]) -> bool:
    """A noun run that asks for a figure (何万キロワット, 何トン): its unknown word is the figure's measure."""
    return any(ch.isdigit() or ch == "何" for t in run for ch in t.surface)


@dataclass(frozen=True)
class Words:
    """The question's content words read against the documents (see `read_words`)."""

    phrases: tuple[str, ...]
    topics: tuple[str, ...]
    compounds: tuple[str, ...]
    unknown: tuple[str, ...]
    unknown_names: tuple[str, ...]
    focus: tuple[str, ...]
    subjects: tuple[str, ...]  # unknown terms of two words or more, or the measure of an asked figure
    fields: tuple[str, ...]  # the fields after words: a phrase may replace a field, a paraphrase add one
    notes: tuple[str, ...]


def read_words(q: Question, kb: Knowledge, taken: list[bool], units: list[str], fields: list[str], notes: list[str],
               place_keys: set[str], field_keys: set[str], title_words: set[str]) -> Words:
    """Topics, phrases and unknown words of the question's compound nouns (what units and fields did not take)."""
    lex = kb.lexicon
    fields, notes = list(fields), list(notes)
    phrases: list[str] = []
    topics: list[str] = []
    compounds: list[str] = []
    unknown: list[str] = []
    unknown_names: list[str] = []
    focus_words: list[str] = []
    subjects: list[str] = []
    how = [lex.cues[c] for c in _HOW_CUES] + [p for k in lex.kinds.values() for p in (k.cue, k.weak_cue)]
    for run in noun_runs(q):
        core = core_of(run, lex)
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
            if t.pos not in CONTENT_POS or len(surface) < 2 or surface.isascii() or is_kana_word(surface):
                continue
            if any(taken[t.begin : t.end]):
                continue  # part of a unit or field already found
            if surface in lex.generic or t.normalized in lex.generic or squash(surface) in place_keys:
                continue
            if any(k and (squash(surface) in k or k in squash(surface)) for k in field_keys if len(k) >= 2):
                continue
            if any(p.search(surface) for p in how) or squash(surface) in title_words:
                continue
            if kb.in_documents(surface) or kb.in_documents(t.normalized) or known_parts(t, kb):
                topics.append(surface if kb.in_documents(surface) else t.normalized)
            elif ending := known_ending(t, kb):
                topics.append(ending)
            else:
                run_unknown.append(t)
        if run_unknown and len(core) > 1 and not kb.in_documents(key):
            compounds.append(text)
        terms = [t for t in core if not _HIRAGANA.fullmatch(t.surface)]  # 「うちお金」 is お金: うち only relates it
        if run_unknown and ((len(terms) > 1 and not kb.in_documents(key)) or is_term(run_unknown[0], kb) or asks_figure(run)):
            subjects.append("".join(t.surface for t in terms) if len(terms) > 1 else run_unknown[0].surface)
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
                elif q.following(t) in FOCUS_PARTICLES and decisive(t.surface):
                    focus_words.append(t.surface)
    # A time or figure the question states (令和13年度, 2040年) that no document states: not answered there.
    for m in re.finditer(r"(?:令和|平成|昭和)?\d+(?:\.\d+)?(?:年度|年|月|日|億円|万円|円|万人|人|件|%|％)", q.norm):
        if not kb.in_documents(m.group(0)):
            unknown_names.append(m.group(0))
    focus_unknown = [*focus_words, *(t.surface for t in focus(q) if t.surface in unknown and decisive(t.surface))]
    return Words(tuple(phrases), tuple(topics), tuple(compounds), tuple(unknown), tuple(unknown_names),
                 tuple(focus_unknown), tuple(subjects), tuple(fields), tuple(notes))
