"""Understanding + evidence → a short Japanese answer whose every statement cites its passage.

Extractive only: item names and sentences are quoted from the documents; the templates add
nothing but connecting words. A passage is cited only where the text uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.model import Chunk
from corpus.text import squash
from assistant.evidence import Evidence, ScoredSentence
from assistant.fields import FieldVocabulary, ItemMatch
from assistant.plan import BlockView, Located, PlanView
from assistant.types import Citation
from assistant.understand import Understanding

# An explanation needs at least this share of the question's content words in its sentence.
MIN_OVERLAP = 0.2


@dataclass
class Draft:
    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    answerable: bool = True
    _marks: dict[tuple[str, int, int], str] = field(default_factory=dict)

    def cite(self, chunk: Chunk, start: int, end: int, score: float = 1.0, reference: bool = False) -> str:
        key = (chunk.doc_id, start, end)
        if key in self._marks:
            return self._marks[key]
        n = len(self.citations) + 1
        self.citations.append(
            Citation(
                n=n,
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                title=chunk.title,
                block=chunk.block,
                section=" > ".join(chunk.section_path),
                text=chunk.span_text(start, end),
                start=start,
                end=end,
                score=round(float(score), 4),
                page=chunk.page,
                reference=reference,
            )
        )
        self._marks[key] = f"[{n}]"
        return self._marks[key]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def _context(loc: Located) -> tuple[int, int]:
    """The sentence that holds an item (it carries the predicate), else the item itself."""
    item = loc.span
    for s in loc.chunk.sentences:
        if s.start <= item.start and item.end <= s.end:
            return s.start, s.end
    return item.start, item.end


def _item_name(loc: Located) -> str:
    item = loc.span
    return f"{item.marker if item.number else ''}{item.label}"


def _quote(text: str) -> str:
    """A sentence as quoted in an answer: one line, without Markdown emphasis."""
    return re.sub(r"\s*\n\s*", "", text.replace("**", "")).strip()


# A why-answer quotes sentences whose own prose (before any listed item) is at least this long:
# 「…素地を活かし、①医療・バイオ…」 carries a reason, 「また、島嶼地域における③エネルギー」 does not.
MIN_REASON_CHARS = 15


def _prose_before_items(sentence: Located, block: BlockView) -> int:
    s = sentence.span
    first = min((i.span.start for i in block.items if s.start <= i.span.start < s.end), default=s.end)
    return first - s.start


def _join(names: list[str]) -> str:
    return "、".join(names)


class Composer:
    def __init__(self, plan: PlanView, vocab: FieldVocabulary, evidence: Evidence) -> None:
        self.plan = plan
        self.vocab = vocab
        self.evidence = evidence

    # --- building blocks -----------------------------------------------------------------------

    def _place_lead(self, u: Understanding, d: Draft) -> None:
        if u.place_notes:
            d.lines.append("（" + "、".join(f"{n}ブロック" for n in u.place_notes) + "として回答します）")

    def _list_items(self, block: BlockView, d: Draft, only: list[Located] | None = None) -> None:
        for loc in only if only is not None else block.items:
            s, e = _context(loc)
            d.lines.append(f"- {_item_name(loc)} {d.cite(loc.chunk, s, e)}")

    def _block_items(self, block: BlockView, d: Draft) -> None:
        if block.items:
            kind = "分野" if block.kind == "region" else "項目"
            d.lines.append(f"{block.name}{'ブロック' if block.kind == 'region' else ''}では、次の{len(block.items)}{kind}が挙げられています。")
            self._list_items(block, d)
        else:
            self._sentences(block.name, [ScoredSentence(s, 1.0, 1.0) for s in block.sentences], d)

    def _sentences(self, lead: str, sentences: list[ScoredSentence], d: Draft) -> None:
        d.lines.append(f"{lead}について、資料には次のように書かれています。")
        for s in sentences:
            loc = s.located
            d.lines.append(f"- 「{_quote(loc.span.text)}」{d.cite(loc.chunk, loc.span.start, loc.span.end, s.score)}")

    def not_stated(self, u: Understanding, topic: str, d: Draft, references: list[Located | Chunk]) -> Draft:
        d.answerable = False
        d.lines.append(f"資料には{topic}についての記載がありません。")
        if references:
            marks = []
            for ref in references[:2]:
                chunk = ref.chunk if isinstance(ref, Located) else ref
                s, e = (ref.span.start, ref.span.end) if isinstance(ref, Located) else (chunk.start, chunk.end)
                marks.append(d.cite(chunk, s, e, 0.0, reference=True))
            d.lines.append(f"参考：関連する記載 {''.join(marks)}")
        return d

    # --- intents -------------------------------------------------------------------------------

    def block_items(self, u: Understanding) -> Draft:
        d = Draft()
        self._place_lead(u, d)
        for name in u.blocks:
            block = self.plan.region(name)
            if block:
                self._block_items(block, d)
        return d

    def block_field(self, u: Understanding) -> Draft:
        d = Draft()
        self._place_lead(u, d)
        for name in u.blocks:
            block = self.plan.region(name)
            if not block:
                continue
            for f in u.fields:
                hits = [loc for loc in block.items if self.vocab.mentions(loc.span.label, f)]
                if hits:
                    names = "、".join(f"「{_item_name(h)}」" for h in hits)
                    marks = "".join(d.cite(h.chunk, *_context(h)) for h in hits)
                    d.lines.append(f"はい。{block.name}ブロックでは{f}に関わる分野として{names}が挙げられています{marks}。")
                else:
                    listed = _join([_item_name(i) for i in block.items])
                    marks = "".join(dict.fromkeys(d.cite(i.chunk, *_context(i)) for i in block.items))
                    d.lines.append(
                        f"{block.name}ブロックの記載には{f}は挙げられていません。同ブロックで挙げられている分野は{listed}です{marks}。"
                    )
        return d

    def which_blocks(self, u: Understanding) -> Draft:
        d = Draft()
        per_field = {f: self.vocab.matches(f) for f in u.fields}
        if u.wants_all and len(u.fields) > 1:
            common = set.intersection(*({m.block for m in ms} for ms in per_field.values()))
            matches = [m for ms in per_field.values() for m in ms if m.block in common]
            both = "と".join(u.fields) + ("の両方" if len(u.fields) == 2 else "のすべて")
            if not common:
                return self.not_stated(u, f"{both}を挙げているブロック", d, [])
            blocks = [b.name for b in self.plan.regions() if b.name in common]
            d.lines.append(f"{both}を挙げているのは{_join(blocks)}の{len(blocks)}ブロックです。")
            self._matches(sorted(matches, key=lambda m: blocks.index(m.block)), d)
            return d
        for f, matches in per_field.items():
            if not matches:
                d.lines.append(f"{f}を挙げているブロックは資料にありません。")
                continue
            blocks = list(dict.fromkeys(m.block for m in matches))
            d.lines.append(f"{f}を挙げているのは{_join(blocks)}の{len(blocks)}ブロックです。")
            self._matches(matches, d)
        if not any(per_field.values()):
            return self.not_stated(u, "、".join(u.fields) + "を挙げるブロック", d, [])
        return d

    def _matches(self, matches: list[ItemMatch], d: Draft) -> None:
        by_block: dict[str, dict[Located, None]] = {}
        for m in matches:
            by_block.setdefault(m.block, {})[m.item] = None
        for block, items in by_block.items():
            mine = sorted(items, key=lambda i: i.span.start)
            marks = "".join(dict.fromkeys(d.cite(i.chunk, *_context(i)) for i in mine))
            d.lines.append(f"- {block}：{_join([_item_name(i) for i in mine])} {marks}")

    def count(self, u: Understanding) -> Draft:
        d = Draft()
        if u.fields and not u.blocks:
            matches = [m for f in u.fields for m in self.vocab.matches(f)]
            blocks = list(dict.fromkeys(m.block for m in matches))
            d.lines.append(f"{'・'.join(u.fields)}を挙げているブロックは{len(blocks)}つです（{_join(blocks)}）。")
            self._matches(matches, d)
            return d
        if u.blocks:
            self._place_lead(u, d)
            for name in u.blocks:
                block = self.plan.region(name)
                if block:
                    d.lines.append(f"{block.name}ブロックで挙げられている分野は{len(block.items)}つです。")
                    self._list_items(block, d)
            return d
        regions = self.plan.regions()
        marks = []
        for b in regions:
            first = b.chunks[0]
            line_end = first.text.find("\n")
            marks.append(f"{b.name}{d.cite(first, first.start, first.start + (line_end if line_end > 0 else len(first.text)))}")
        d.lines.append(f"資料には{len(regions)}のブロックが記載されています：{_join(marks)}。")
        return d

    def compare(self, u: Understanding) -> Draft:
        d = Draft()
        self._place_lead(u, d)
        blocks = [b for n in u.blocks if (b := self.plan.region(n))]
        has = {b.name: self.vocab.fields_of(b) for b in blocks}
        common = [f for f in has[blocks[0].name] if all(f in has[b.name] for b in blocks)]
        d.lines.append(f"{'と'.join(b.name for b in blocks)}を比較します。")
        d.lines.append(f"共通して挙げられている分野：{_join(common) if common else 'なし'}")
        for b in blocks:
            others = {f for o in blocks if o is not b for f in has[o.name]}
            only = [f for f in has[b.name] if f not in others]
            d.lines.append(f"{b.name}のみ：{_join(only) if only else 'なし'}")
        for b in blocks:
            marks = "".join(dict.fromkeys(d.cite(i.chunk, *_context(i)) for i in b.items))
            d.lines.append(f"- {b.name}：{' '.join(_item_name(i) for i in b.items)} {marks}")
        return d

    def explain(self, u: Understanding, hits) -> Draft:
        d = Draft()
        self._place_lead(u, d)
        within = [b for n in u.blocks if (b := self.plan.region(n))] or [
            b for b in self.plan.blocks if b.name in u.sections
        ] or None
        ranked = self.evidence.sentences(u, hits, within, k=3)
        if within and len(within) == 1 and u.blocks:
            block = within[0]
            # A why-question about a block: its narrative sentences (those without items) carry the reasons,
            # plus any sentence that names the asked field.
            narrative = [s for s in block.sentences if _prose_before_items(s, block) >= MIN_REASON_CHARS]
            asked = [s for s in block.sentences if any(self.vocab.mentions(s.span.text, f) for f in u.fields)]
            chosen = list(dict.fromkeys(asked + narrative)) or [s.located for s in ranked[:1]]
            self._sentences(f"{block.name}ブロック", [ScoredSentence(s, 1.0, 1.0) for s in chosen[:3]], d)
            return d
        if within and u.sections:  # a named section: its best sentences, whatever the overlap
            self._sentences(f"「{within[0].name}」", ranked[:2], d)
            return d
        good = [s for s in ranked if s.overlap >= MIN_OVERLAP]
        if not good:
            return self.not_stated(u, "この質問に答える内容", d, [s.located for s in ranked[:2]])
        top = good[0].score
        chosen = [s for s in good if s.score >= 0.6 * top][:2]
        subject = self.evidence.subject(u, chosen[0]) or "、".join(u.fields or u.sections) or "ご質問の点"
        self._sentences(subject, chosen, d)
        return d

    def section(self, u: Understanding, hits) -> Draft:
        d = Draft()
        blocks = [b for b in self.plan.blocks if b.name in u.sections]
        for block in blocks:
            labels = [loc for loc in block.items if len(loc.span.label) <= 40]
            if u.list_size is not None and len(labels) != u.list_size:
                # 「17の戦略分野を全部」: the section does not enumerate that many names.
                return self.not_stated(u, f"「{block.name}」の{u.list_size}項目それぞれの名称（一覧）", d, [block.chunks[0]])
            if labels:
                first, last = labels[0].span, labels[-1].span
                chunk = labels[0].chunk
                if last.end <= chunk.end:
                    mark = d.cite(chunk, first.start, last.end)
                    d.lines.append(f"「{block.name}」には次の{len(labels)}項目が挙げられています{mark}。")
                    d.lines.extend(f"- {_quote(loc.span.text)}" for loc in labels)
                else:
                    d.lines.append(f"「{block.name}」には次の{len(labels)}項目が挙げられています。")
                    self._list_items(block, d, labels)
                notes = [s for s in block.sentences if not any(s.span.start <= i.span.start < s.span.end for i in labels)]
                for s in notes:
                    d.lines.append(f"補足：「{_quote(s.span.text)}」{d.cite(s.chunk, s.span.start, s.span.end)}")
            else:
                ranked = self.evidence.sentences(u, hits, [block], k=4)
                self._sentences(f"「{block.name}」", ranked, d)
        return d

    def detail(self, u: Understanding, hits) -> Draft:
        d = Draft()
        blocks = [b for n in u.blocks if (b := self.plan.region(n))] or [b for b in self.plan.blocks if b.name in u.sections]
        if not blocks:
            return self.general(u, hits)
        for block in blocks:
            self._sentences(f"{block.name}", [ScoredSentence(s, 1.0, 1.0) for s in block.sentences], d)
        return d

    def general(self, u: Understanding, hits) -> Draft:
        return self.explain(u, hits)

    def figure_missing(self, u: Understanding, hits) -> Draft | None:
        """Questions about money, dates or counts of people: unanswerable unless the passage has digits."""
        blocks = [b for n in u.blocks if (b := self.plan.region(n))]
        scope = blocks or [self.plan.block_of(h.chunk_id) for h in hits[:2]]
        if any(re.search(r"\d", squash(c.text)) and re.search(r"[円年月人]", c.text) for b in scope for c in b.chunks):
            return None
        d = Draft()
        subject = "・".join(u.blocks) + "の" if u.blocks else ""
        refs = [b.chunks[0] for b in scope][:2]
        return self.not_stated(u, f"{subject}金額・日付・人数などの具体的な数値", d, refs)
