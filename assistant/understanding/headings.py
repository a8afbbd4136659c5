"""Parts named by their heading (a legend, a cross-cutting section), and documents named by a title word."""

from __future__ import annotations

import re

from corpus.text import squash
from assistant.knowledge import Knowledge
from assistant.profile import DocKind
from assistant.understanding.model import Entities
from assistant.understanding.read import Question

HEADING_COVERAGE = 0.8
# A heading is also named by a long enough stretch of it: 「洗い出された課題」 for 17の戦略分野から洗い出された課題.
MIN_HEADING_PART = 6


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def heading_keys(heading: str) -> set[str]:
    """How a heading may be named: as written, without a leading count (17の), without an 「〜別」 qualifier."""
    key = squash(heading)
    keys = {key, re.sub(r"^\d+の?", "", key), re.sub(r"^.+?別", "", key), key.replace("の", "")}
    return {k for k in keys if len(k) >= 2}


def common_run(a: str, b: str) -> int:
    """Length of the longest common substring."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def named_sections(q: Question, kb: Knowledge, title_words: set[str] = frozenset()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Parts that are not units whose name or sub-heading the question names (凡例, 分野横断的課題 …),
    and the heading it named. A heading named in full beats one named in part; longer beats shorter."""
    norm_sq = q.squashed
    for word in title_words:  # 「A市X計画のY」: the title names the document, not a heading
        norm_sq = norm_sq.replace(word, "\x00")
    grams = bigrams(norm_sq)
    found: list[tuple[int, int, str, str]] = []  # (full?, length, part, heading)
    for part in kb.plan.others():
        if kb.profile(part.doc_id).kind is DocKind.PROSE:
            continue  # an article's only part is the article itself: its title is no section to list
        for heading in dict.fromkeys((part.name, *part.headings)):
            numbering = _NUMBERING.match(squash(heading))
            if numbering and numbering.group(0) in norm_sq:  # 「第2章には」: the chapter its numbering names
                found.append((1, 2 * len(numbering.group(0)), part.name, heading))
                continue
            for key in heading_keys(heading):
                hg = bigrams(key)
                if len(hg & grams) >= HEADING_COVERAGE * len(hg):
                    found.append((1, len(key), part.name, heading))
                elif (run := common_run(key, norm_sq)) >= MIN_HEADING_PART:
                    found.append((0, run, part.name, heading))
                elif (numbered := _numbered_run(key, norm_sq)) is not None:
                    found.append((1, numbered, part.name, heading))  # 「重点施策3」 names its section, not 「重点施策」
    if not found:
        return (), ()
    best = max((full, length) for full, length, _, _ in found)
    top = [(name, heading) for full, length, name, heading in found if (full, length) == best]
    return tuple(dict.fromkeys(n for n, _ in top)), tuple(dict.fromkeys(h for _, h in top))


# A heading's own numbering (第2章, 第3節): named in the question, it names that heading.
_NUMBERING = re.compile(r"^第[0-9一二三四五六七八九十百]+[章節項部編]")


def _numbered_run(key: str, question: str) -> int | None:
    """The length of a name with its number that the heading and the question share (「重点施策3」 in
    「重点施策3「…」」), when the number ends the shared run in both: a numbered item is named by it."""
    for m in re.finditer(r"[^\d]{2,}\d+", question):
        name = m.group(0)
        for start in range(0, len(name) - 2):  # the longest shared piece first
            piece = name[start:]
            pos = key.find(piece)
            if len(piece) >= 3 and pos >= 0 and not key[pos + len(piece) : pos + len(piece) + 1].isdigit():
                return len(piece)
    return None


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
