"""Field vocabulary: the fields the documents name, plus how people ask for them.

Fields are the atoms of the region blocks' items (「造船・防衛・航空宇宙」 → 造船, 防衛, 航空宇宙), and
the legend's categories (「乗り物（宇宙・航空 等）」 → 乗り物 = 宇宙 + 航空). A field counts for an item when
the field, or one of its aliases, occurs inside the item: 半導体 ⊂ 「AI・半導体」, 宇宙 ⊂ 「航空宇宙」.
`ALIASES` is general vocabulary (abbreviations, paraphrases, English), documented in docs/fields.md.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from corpus.text import normalize, squash
from assistant.plan import Located, PlanView

ALIASES: dict[str, tuple[str, ...]] = {
    "GX": ("グリーントランスフォーメーション", "グリーン・トランスフォーメーション", "脱炭素", "カーボンニュートラル", "green transformation"),
    "DX": ("デジタルトランスフォーメーション", "デジタル・トランスフォーメーション", "デジタル", "digital transformation", "digital"),
    "AI": ("人工知能", "artificial intelligence"),
    "半導体": ("semiconductor", "semiconductors", "chip", "chips", "はんどうたい"),
    "造船": ("造船業", "船舶", "船", "shipbuilding", "shipyard", "shipyards", "ship", "ships", "ぞうせん"),
    "宇宙": ("スペース", "ロケット", "人工衛星", "space"),
    "航空": ("航空機", "飛行機", "aviation", "aircraft"),
    "航空宇宙": ("aerospace",),
    "防衛": ("防衛産業", "defense", "defence"),
    "バイオ": ("バイオテクノロジー", "biotech", "biotechnology", "bio"),
    "ライフサイエンス": ("life science", "life sciences"),
    "医療": ("メディカル", "medical", "medicine"),
    "ヘルスケア": ("healthcare", "health care"),
    "洋上風力": ("洋上風力発電", "風力発電", "風力", "offshore wind", "wind power"),
    "水素": ("hydrogen",),
    "アンモニア": ("ammonia",),
    "蓄電池": ("バッテリー", "電池", "battery", "batteries"),
    "観光": ("インバウンド", "ツーリズム", "tourism", "travel"),
    "食": ("食品", "食料", "フード", "food"),
    "エネルギー": ("energy",),
    "情報通信": ("ICT", "IT", "通信", "information and communication", "telecommunications"),
    "空モビリティ": ("空飛ぶクルマ", "空飛ぶ車", "ドローン", "eVTOL", "air mobility"),
    "ものづくり": ("モノづくり", "モノ作り", "物作り", "製造業", "manufacturing"),
    "資源循環": ("リサイクル", "resource circulation", "recycling"),
    "サーキュラーエコノミー": ("循環経済", "circular economy"),
    "防災": ("disaster prevention", "disaster"),
    "国土強靱化": ("強靱化", "強靭化", "resilience"),
    "港湾ロジスティクス": ("港湾", "物流", "ロジスティクス", "logistics", "port", "ports"),
    "コンテンツ": ("content", "contents"),
    "FPDディスプレイ": ("ディスプレイ", "FPD", "フラットパネル", "display", "displays"),
    "部素材": ("素材", "部材", "materials"),
    "CNF": ("セルロースナノファイバー", "cellulose nanofiber"),
    "SAF": ("持続可能な航空燃料", "sustainable aviation fuel"),
}

# Names this long or longer also match with one character wrong (and the first one right).
FUZZY_MIN = 3

_SPLIT = re.compile(r"[・、,，（）()「」\s]+|等|関連$")


@dataclass(frozen=True)
class ItemMatch:
    block: str
    item: Located
    field: str


class FieldVocabulary:
    def __init__(self, plan: PlanView) -> None:
        self.plan = plan
        atoms: dict[str, None] = {}
        self.categories: dict[str, tuple[str, ...]] = {}
        for block in plan.blocks:
            if block.kind == "region":
                for loc in block.items:
                    for atom in _SPLIT.split(loc.span.label):
                        if len(atom) >= 1 and not atom.isdigit():
                            atoms[atom] = None
            elif block.kind == "legend":
                for loc in block.items:
                    m = re.match(r"^(.+?)（(.+)）$", loc.span.label)
                    if m:  # 「乗り物（宇宙・航空 等）」: a category and its members
                        members = tuple(a for a in _SPLIT.split(m.group(2)) if a)
                        self.categories[m.group(1).strip()] = members
        # An atom that only adds a word to another (造船産業 = 造船 + 産業, 航空宇宙 = 航空 + 宇宙) is no field of its own.
        atoms = {a: None for a in atoms if not any(b != a and len(b) >= 2 and b in a for b in atoms)}
        self.fields = list(atoms) + [c for c in self.categories if c not in atoms]
        self._surfaces: list[tuple[str, str]] = []  # (normalised surface, field)
        for f in self.fields:
            for surface in (f, *ALIASES.get(f, ())):
                self._surfaces.append((normalize(surface), f))
        self._surfaces.sort(key=lambda s: -len(s[0]))
        # Every region item's label in one string, so a field is matched against the whole plan with
        # a few str.find calls instead of a Python loop over items (100k-chunk plans stay fast).
        self._items = [(block.name, loc) for block in plan.regions() for loc in block.items]
        labels = [squash(loc.span.label) for _, loc in self._items]
        self._starts = [0]
        for label in labels:
            self._starts.append(self._starts[-1] + len(label) + 1)
        self._haystack = "\x00".join(labels)
        self._matches: dict[str, list[ItemMatch]] = {}

    def find(self, text: str) -> list[str]:
        """Fields named in `text` (longest surfaces first, no overlaps; romaji/English as whole words)."""
        norm = normalize(text)
        taken = [False] * len(norm)
        found: list[tuple[int, str]] = []
        for surface, field in self._surfaces:
            start = 0
            while surface and (pos := norm.find(surface, start)) >= 0:
                start = pos + 1
                end = pos + len(surface)
                if any(taken[pos:end]):
                    continue
                if surface.isascii() and (
                    (pos > 0 and norm[pos - 1].isascii() and norm[pos - 1].isalpha())
                    or (end < len(norm) and norm[end].isascii() and norm[end].isalpha())
                ):
                    continue
                found.append((pos, field))
                for i in range(pos, end):
                    taken[i] = True
        # A typo: one character off in a Japanese name of three or more (蓄電地 → 蓄電池).
        for surface, field in self._surfaces:
            if len(surface) < FUZZY_MIN or surface.isascii():
                continue
            for pos in range(len(norm) - len(surface) + 1):
                window = norm[pos : pos + len(surface)]
                if any(taken[pos : pos + len(surface)]):
                    continue
                if sum(a != b for a, b in zip(window, surface)) == 1 and window[0] == surface[0]:
                    found.append((pos, field))
                    for i in range(pos, pos + len(surface)):
                        taken[i] = True
        return list(dict.fromkeys(f for _, f in sorted(found)))

    def surfaces(self, field: str) -> tuple[str, ...]:
        """The field, its category members and all their aliases."""
        return tuple(x for m in (field, *self.members(field)) for x in (m, *ALIASES.get(m, ())))

    def is_item_text(self, key: str) -> bool:
        """Whether `key` (squashed) occurs inside some region item: then it names a field, not a phrase."""
        return key in self._haystack

    def members(self, field: str) -> tuple[str, ...]:
        return self.categories.get(field, (field,))

    def mentions(self, label: str, field: str) -> bool:
        text = squash(label)
        for member in self.members(field):
            for surface in (member, *ALIASES.get(member, ())):
                s = squash(surface)
                if s and (s in text if not s.isascii() else re.search(rf"(?<![a-z]){re.escape(s)}(?![a-z])", text)):
                    return True
        return False

    def fields_of(self, block) -> list[str]:
        """The fields a block's items name, without compounds whose parts are also named
        (航空宇宙 when 航空 and 宇宙 are there) and without the legend's categories."""
        named = [f for f in self.fields if f not in self.categories and any(self.mentions(i.span.label, f) for i in block.items)]
        return [f for f in named if not any(g != f and g in f for g in named)]

    def matches(self, field: str) -> list[ItemMatch]:
        """Every region item across the whole plan that mentions `field` (no top-k), in plan order."""
        if field not in self._matches:
            hits: set[int] = set()
            for member in self.members(field):
                for surface in (member, *ALIASES.get(member, ())):
                    hits |= self._find(squash(surface))
            self._matches[field] = [ItemMatch(self._items[i][0], self._items[i][1], field) for i in sorted(hits)]
        return self._matches[field]

    def _find(self, needle: str) -> set[int]:
        found: set[int] = set()
        if not needle:
            return found
        start = 0
        while (pos := self._haystack.find(needle, start)) >= 0:
            start = pos + 1
            end = pos + len(needle)
            if needle.isascii() and (
                (pos > 0 and self._haystack[pos - 1].isascii() and self._haystack[pos - 1].isalpha())
                or (end < len(self._haystack) and self._haystack[end].isascii() and self._haystack[end].isalpha())
            ):
                continue
            found.add(bisect.bisect_right(self._starts, pos) - 1)
        return found
