"""Understanding + evidence → a short Japanese answer whose every statement cites its passage.

Extractive only: item names and sentences are quoted from the documents; the templates add
nothing but connecting words. A passage is cited only where the text uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.model import Chunk
from corpus.text import squash
from assistant.evidence import Evidence, Scored
from assistant.fields import FieldVocabulary, ItemMatch
from assistant.plan import BlockView, Located, PlanView
from assistant.types import Citation
from assistant.understand import ASKS, Understanding

# An explanation needs at least this share of the question's content words in its passage.
MIN_OVERLAP = 0.2
# A second or third passage is quoted only when it scores at least this share of the best one.
RUNNER_UP = 0.6
# A why-answer quotes sentences whose own prose (before any listed item) is at least this long:
# 「…素地を活かし、①医療・バイオ…」 carries a reason, 「また、島嶼地域における③エネルギー」 does not.
MIN_REASON_CHARS = 15


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
        section = next((p for p, s, e in chunk.sections if s <= start < e), chunk.section_path)
        self.citations.append(
            Citation(
                n=n,
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                title=chunk.title,
                block=chunk.block,
                section=" > ".join(section),
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
    """A passage as quoted in an answer: one line, without Markdown emphasis."""
    return re.sub(r"\s*\n\s*", "", text.replace("**", "")).strip()


def _prose_before_items(sentence: Located, block: BlockView) -> int:
    s = sentence.span
    first = min((i.span.start for i in block.items if s.start <= i.span.start < s.end), default=s.end)
    return first - s.start


# 「以下の多様な分野」「次の分野」 point at the list that follows: a quote of the sentence brings the list along.
_FORWARD = re.compile(r"以下の|次の|下記の")


def _with_forward_lists(chosen: list[Scored], ranked: list[Scored]) -> list[Scored]:
    by_start = sorted(ranked, key=lambda s: s.located.span.start)
    out = list(chosen)
    for s in chosen:
        if _FORWARD.search(s.located.span.text):
            later = [x for x in by_start if x.located.span.start > s.located.span.start]
            if later and later[0] not in out:
                out.append(later[0])
    return out


def _join(names: list[str]) -> str:
    return "、".join(names)


def _diverse(ranked: list[Scored], limit: int = 3) -> list[Scored]:
    """The best passage, then runners-up close to it, preferring blocks not quoted yet."""
    if not ranked:
        return []
    top = ranked[0].score
    close = [s for s in ranked if s.score >= RUNNER_UP * top]
    chosen: list[Scored] = []
    seen: set[str] = set()
    for s in close:  # first one passage per block …
        if s.located.chunk.block not in seen:
            chosen.append(s)
            seen.add(s.located.chunk.block)
    chosen += [s for s in close if s not in chosen]  # … then the rest
    return chosen[:limit]


class Composer:
    def __init__(self, plan: PlanView, vocab: FieldVocabulary, evidence: Evidence) -> None:
        self.plan = plan
        self.vocab = vocab
        self.evidence = evidence

    # --- building blocks -----------------------------------------------------------------------

    def _regions(self, u: Understanding) -> list[BlockView]:
        return [b for n in u.blocks if (b := self.plan.region(n))]

    def _place_lead(self, u: Understanding, d: Draft) -> None:
        if u.place_notes:
            d.lines.append("（" + "、".join(f"{n}ブロック" for n in u.place_notes) + "として回答します）")

    def _list_items(self, d: Draft, items: list[Located]) -> None:
        for loc in items:
            d.lines.append(f"- {_item_name(loc)} {d.cite(loc.chunk, *_context(loc))}")

    def _quotes(self, lead: str, passages: list[Scored], d: Draft) -> None:
        d.lines.append(f"{lead}について、資料には次のように書かれています。")
        for s in passages:
            loc = s.located
            d.lines.append(f"- 「{_quote(loc.span.text)}」{d.cite(loc.chunk, loc.span.start, loc.span.end, s.score)}")

    def not_stated(self, topic: str, references: list[Located | Chunk]) -> Draft:
        d = Draft(answerable=False)
        d.lines.append(f"資料には{topic}についての記載がありません。")
        marks = []
        for ref in references[:2]:
            chunk = ref.chunk if isinstance(ref, Located) else ref
            s, e = (ref.span.start, ref.span.end) if isinstance(ref, Located) else (chunk.start, chunk.end)
            marks.append(d.cite(chunk, s, e, 0.0, reference=True))
        if marks:
            d.lines.append(f"参考：関連する記載 {''.join(marks)}")
        return d

    def _units(self, blocks: list[BlockView], headings: tuple[str, ...] = ()) -> list[Located]:
        """Sentences (and the short items of non-region blocks) of `blocks`, limited to a named sub-heading."""
        units = [s for b in blocks for s in b.sentences]
        units += [i for b in blocks if b.kind != "region" for i in b.items if not any(
            s.span.start <= i.span.start < s.span.end for s in b.sentences)]
        spans = [
            (c.doc_id, s, e) for b in blocks for c in b.chunks for p, s, e in c.sections if p[-1] in headings and len(p) > 1
        ]
        if spans:
            units = [x for x in units if any(x.chunk.doc_id == d and s <= x.span.start < e for d, s, e in spans)]
        return sorted(units, key=lambda x: (x.chunk.doc_id, x.span.start))

    # --- intents -------------------------------------------------------------------------------

    def block_items(self, u: Understanding) -> Draft:
        d = Draft()
        self._place_lead(u, d)
        for block in self._regions(u):
            items = list(block.items)
            if u.negated and u.fields:  # 「AI・半導体以外」
                items = [i for i in items if not any(self.vocab.mentions(i.span.label, f) for f in u.fields)]
                d.lines.append(f"{block.name}ブロックで{'・'.join(u.fields)}以外に挙げられている分野は次の{len(items)}つです。")
            elif items:
                d.lines.append(f"{block.name}ブロックでは、次の{len(items)}分野が挙げられています。")
            if items:
                self._list_items(d, items)
            else:
                self._quotes(f"{block.name}ブロック", [Scored(s, 1.0, 1.0) for s in block.sentences], d)
        return d

    def block_field(self, u: Understanding) -> Draft:
        if u.negated:
            return self.block_items(u)
        d = Draft()
        self._place_lead(u, d)
        for block in self._regions(u):
            for f in u.fields:
                hits = [loc for loc in block.items if self.vocab.mentions(loc.span.label, f)]
                if hits:
                    names = "、".join(f"「{_item_name(h)}」" for h in hits)
                    marks = "".join(dict.fromkeys(d.cite(h.chunk, *_context(h)) for h in hits))
                    d.lines.append(f"はい。{block.name}ブロックでは{f}に関わる分野として{names}が挙げられています{marks}。")
                else:
                    listed = _join([_item_name(i) for i in block.items])
                    marks = "".join(dict.fromkeys(d.cite(i.chunk, *_context(i)) for i in block.items))
                    d.lines.append(
                        f"{block.name}ブロックの記載には{f}は挙げられていません。同ブロックで挙げられている分野は{listed}です{marks}。"
                    )
        return d

    def which_blocks(self, u: Understanding) -> Draft:
        if not u.fields:
            return self.mentions(u)
        d = Draft()
        per_field = {f: self.vocab.matches(f) for f in u.fields}
        names = "と".join(u.fields)
        if u.negated:  # 「半導体を挙げていないブロック」: the complement, over the whole plan
            having = {m.block for ms in per_field.values() for m in ms}
            rest = [b for b in self.plan.regions() if b.name not in having]
            if not rest:
                d.lines.append(f"すべてのブロックが{names}を挙げています。")
                return d
            d.lines.append(f"{names}を挙げていないのは{_join([b.name for b in rest])}の{len(rest)}ブロックです。")
            for b in rest:
                marks = "".join(dict.fromkeys(d.cite(i.chunk, *_context(i)) for i in b.items))
                d.lines.append(f"- {b.name}：{' '.join(_item_name(i) for i in b.items)} {marks}")
            return d
        if u.wants_all and len(u.fields) > 1:
            common = set.intersection(*({m.block for m in ms} for ms in per_field.values()))
            both = names + ("の両方" if len(u.fields) == 2 else "のすべて")
            if not common:
                return self.not_stated(f"{both}を挙げているブロック", [])
            blocks = [b.name for b in self.plan.regions() if b.name in common]
            d.lines.append(f"{both}を挙げているのは{_join(blocks)}の{len(blocks)}ブロックです。")
            self._matches([m for ms in per_field.values() for m in ms if m.block in common], d)
            return d
        for f, matches in per_field.items():
            if not matches:
                d.lines.append(f"{f}を挙げているブロックは資料にありません。")
                continue
            blocks = list(dict.fromkeys(m.block for m in matches))
            d.lines.append(f"{f}を挙げているのは{_join(blocks)}の{len(blocks)}ブロックです。")
            self._matches(matches, d)
        if not any(per_field.values()):
            return self.not_stated(f"{names}を挙げるブロック", [])
        return d

    def mentions(self, u: Understanding) -> Draft:
        """Blocks whose text (not only their list of fields) mentions the question's phrase."""
        d = Draft()
        for phrase in u.phrases:
            key = squash(phrase)
            found = [(b, s) for b in self.plan.regions() for s in b.sentences if key in squash(s.span.text)]
            if not found:
                continue
            blocks = list(dict.fromkeys(b.name for b, _ in found))
            d.lines.append(f"「{phrase}」に触れているのは{_join(blocks)}の{len(blocks)}ブロックです。")
            for name in blocks:
                marks = "".join(d.cite(s.chunk, s.span.start, s.span.end) for b, s in found if b.name == name)
                d.lines.append(f"- {name} {marks}")
        if not d.lines:
            return self.not_stated("「" + "」「".join(u.phrases) + "」に触れたブロック", [])
        return d

    def _matches(self, matches: list[ItemMatch], d: Draft) -> None:
        by_block: dict[str, dict[tuple[str, int], Located]] = {}
        for m in matches:  # keyed by position: hashing whole Located values is slow on big plans
            by_block.setdefault(m.block, {})[(m.item.chunk.doc_id, m.item.span.start)] = m.item
        for block, items in by_block.items():
            mine = sorted(items.values(), key=lambda i: i.span.start)
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
            for block in self._regions(u):
                d.lines.append(f"{block.name}ブロックで挙げられている分野は{len(block.items)}つです。")
                self._list_items(d, list(block.items))
            return d
        if u.sections:
            return self._count_section(u)
        regions = self.plan.regions()
        marks = []
        for b in regions:
            first = b.chunks[0]
            line_end = first.text.find("\n")
            marks.append(f"{b.name}{d.cite(first, first.start, first.start + (line_end if line_end > 0 else len(first.text)))}")
        d.lines.append(f"資料には{len(regions)}のブロックが記載されています：{_join(marks)}。")
        return d

    def _count_section(self, u: Understanding) -> Draft:
        d = Draft()
        for block in [b for b in self.plan.blocks if b.name in u.sections]:
            heading = u.headings[0] if u.headings else block.name
            stated = re.fullmatch(r"(\d+)の?[^のからをへ]+", heading)  # a heading that is a count phrase
            first = block.chunks[0]
            if stated:  # the heading states the count itself (17の戦略分野)
                pos = first.text.find(heading)
                if pos >= 0:
                    mark = d.cite(first, first.start + pos, first.start + pos + len(heading))
                    d.lines.append(f"見出しに「{heading}」とあり、{stated.group(1)}です{mark}。")
                    continue
            labels = [loc for loc in block.items if len(loc.span.label) <= 40]
            if labels:
                mark = d.cite(labels[0].chunk, labels[0].span.start, labels[-1].span.end)
                d.lines.append(f"「{block.name}」に挙げられている項目は{len(labels)}つです{mark}。")
                d.lines.extend(f"- {_quote(loc.span.text)}" for loc in labels)
        return d if d.lines else self.section(u, [])

    def compare(self, u: Understanding) -> Draft:
        d = Draft()
        self._place_lead(u, d)
        blocks = self._regions(u)
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
        regions = self._regions(u)
        if len(regions) == 1 and not u.quoted:
            return self._why_block(u, regions[0], hits, d)
        scope = regions or [b for b in self.plan.blocks if b.name in u.sections]
        if not scope and u.documents and not (u.phrases or u.quoted or u.fields or u.topics):
            lead = next(b for b in self.plan.blocks if b.doc_id == u.documents[0])  # 「成長戦略の狙い」: its lead
            self._quotes(f"「{lead.title}」の冒頭", [Scored(s, 1.0, 1.0) for s in lead.sentences[:3]], d)
            return d
        if not scope:
            scope = list(dict.fromkeys(self.plan.block_of(h.chunk_id) for h in hits))
            if u.documents:
                scope = [b for b in self.plan.blocks if b.doc_id in u.documents] or scope
        ranked = self.evidence.rank(u, hits, self._units(scope, u.headings), k=0)
        named = bool(u.sections or regions)
        good = [s for s in ranked if named or s.overlap >= MIN_OVERLAP]
        if not good:
            return self.not_stated("この質問に答える内容", [s.located for s in ranked[:2]])
        chosen = _diverse(good, limit=2)
        subject = self.evidence.subject(u, chosen[0]) or "、".join(u.fields or u.headings) or "ご質問の点"
        self._quotes(subject, chosen, d)
        return d

    def _why_block(self, u: Understanding, block: BlockView, hits, d: Draft) -> Draft:
        """A why-question about one block: the sentences with its reasons (prose before any listed
        field), those that name the asked field or phrase, best first."""
        ranked = self.evidence.rank(u, hits, list(block.sentences), k=0)
        keys = [squash(p) for p in (*u.phrases, *u.topics) if len(squash(p)) >= 2]
        asked = [s for s in ranked if any(self.vocab.mentions(s.located.span.text, f) for f in u.fields)
                 or any(k in squash(s.located.span.text) for k in keys)]
        reasons = [s for s in ranked if _prose_before_items(s.located, block) >= MIN_REASON_CHARS]
        chosen = list(dict.fromkeys(asked + reasons))[:3] or ranked[:1]
        chosen = _with_forward_lists(chosen, ranked)
        chosen.sort(key=lambda s: s.located.span.start)
        self._quotes(f"{block.name}ブロック", chosen, d)
        return d

    def section(self, u: Understanding, hits) -> Draft:
        d = Draft()
        for block in [b for b in self.plan.blocks if b.name in u.sections]:
            units = self._units([block], u.headings)
            labels = [x for x in units if x in block.items and len(x.span.label) <= 40]
            if u.list_size is not None and len(labels) != u.list_size:
                # 「17の戦略分野を全部」: the section does not enumerate that many names.
                return self.not_stated(f"「{block.name}」の{u.list_size}項目それぞれの名称（一覧）", [block.chunks[0]])
            if labels:
                first, last, chunk = labels[0].span, labels[-1].span, labels[0].chunk
                if last.end <= chunk.end:
                    mark = d.cite(chunk, first.start, last.end)
                    d.lines.append(f"「{block.name}」には次の{len(labels)}項目が挙げられています{mark}。")
                    d.lines.extend(f"- {_quote(loc.span.text)}" for loc in labels)
                else:
                    d.lines.append(f"「{block.name}」には次の{len(labels)}項目が挙げられています。")
                    self._list_items(d, labels)
                for s in [x for x in units if x not in labels and x in block.sentences]:
                    d.lines.append(f"補足：「{_quote(s.span.text)}」{d.cite(s.chunk, s.span.start, s.span.end)}")
            elif (subs := self._subsections(block)) and not any(h != block.name for h in u.headings):
                d.lines.append(f"「{block.name}」は次の{len(subs)}つの見出しで構成されています。")
                for heading, chunk, start, end in subs:
                    d.lines.append(f"- {heading} {d.cite(chunk, start, end)}")
            else:
                heading = next((h for h in u.headings if h != block.name), block.name)
                ranked = self.evidence.rank(u, hits, units, k=0)
                self._quotes(f"「{heading}」", ranked[: 2 if heading == block.name else 3], d)
        return d

    @staticmethod
    def _subsections(block: BlockView) -> list[tuple[str, Chunk, int, int]]:
        """The block's sub-headings, each with its section's span (heading and body, which the answer cites)."""
        return [(path[-1], c, s, e) for c in block.chunks for path, s, e in c.sections if len(path) > 1]

    def detail(self, u: Understanding, hits) -> Draft:
        blocks = self._regions(u) or [b for b in self.plan.blocks if b.name in u.sections]
        if not blocks:
            return self.explain(u, hits)
        d = Draft()
        for block in blocks:
            self._quotes(block.name, [Scored(s, 1.0, 1.0) for s in block.sentences], d)
        return d

    def missing_information(self, u: Understanding, hits) -> Draft | None:
        """A question about money, dates, people, figures, names or exact places: unanswerable unless
        the passages about its subject contain that kind of information."""
        blocks = self._regions(u) or [self.plan.block_of(h.chunk_id) for h in hits[:2]]
        texts = [c.text for b in blocks for c in b.chunks]
        subject = [squash(x) for x in (*u.fields, *u.phrases) if x]
        if subject:  # the information must be about what is asked (造船の企業, not TSMC)
            texts = [s.span.text for b in blocks for s in b.sentences
                     if any(k in squash(s.span.text) for k in subject) or any(self.vocab.mentions(s.span.text, f) for f in u.fields)]
        if u.asks in ("person", "organization", "location"):
            wanted = {"person": {"人名"}, "organization": {"一般"}, "location": {"地名", "一般"}}[u.asks]
            own = {squash(b) for b in u.blocks} | {squash(p.split("→")[0]) for p in u.place_notes}
            found = any(
                t.kind in wanted and squash(t.surface) not in own and not self.vocab.find(t.surface)
                for text in texts for t in self.evidence.tok.tokens(text)
            )
        else:
            found = any(ASKS[u.asks][1].search(text) for text in texts)
        if found:
            return None
        subject = "・".join(u.blocks) + "の" if u.blocks else ""
        what = {"money": "金額・予算", "date": "日付・時期", "people": "人数", "quantity": "数値目標などの数量",
                "person": "担当者などの人名", "organization": "企業などの名称", "location": "市町村などの具体的な場所"}[u.asks]
        return self.not_stated(f"{subject}{what}", [b.chunks[0] for b in blocks][:2])
