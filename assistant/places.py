"""Place names → region blocks: general Japanese geography, not knowledge of any question.

Table (documented in docs/places.md):
- Regions follow the usual eight-region division of Japan, with 北陸 as the plan itself defines it
  (「北陸3県」 = 富山・石川・福井) and 沖縄 on its own, giving the ten blocks the cluster plan uses.
  新潟 and 山梨 follow the 関東 economic-bureau area; 長野 and 静岡 the 中部 (甲信・東海) area.
- Aliases: 関西/京阪神→近畿, 首都圏/東京圏→関東, 東海/中京→中部, 山陰/山陽→中国, 瀬戸内→中国+四国 …
- Readings: block names in hiragana, katakana and romaji (きゅうしゅう, キュウシュウ, kyushu, kyūshū).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.text import katakana, normalize

REGION_PREFECTURES: dict[str, tuple[str, ...]] = {
    "北海道": ("北海道",),
    "東北": ("青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"),
    "関東": ("茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "山梨県"),
    "中部": ("長野県", "岐阜県", "静岡県", "愛知県", "三重県"),
    "北陸": ("富山県", "石川県", "福井県"),
    "近畿": ("滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"),
    "中国": ("鳥取県", "島根県", "岡山県", "広島県", "山口県"),
    "四国": ("徳島県", "香川県", "愛媛県", "高知県"),
    "九州": ("福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県"),
    "沖縄": ("沖縄県",),
}

# Regions and areas people name instead of a block.
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "関西": ("近畿",), "京阪神": ("近畿",), "首都圏": ("関東",), "東京圏": ("関東",), "北関東": ("関東",),
    "南関東": ("関東",), "東海": ("中部",), "中京": ("中部",), "甲信": ("中部",), "信州": ("中部",),
    "山陰": ("中国",), "山陽": ("中国",), "瀬戸内": ("中国", "四国"), "北陸3県": ("北陸",),
    "道内": ("北海道",), "道央": ("北海道",), "道南": ("北海道",), "道東": ("北海道",), "道北": ("北海道",),
    "みちのく": ("東北",), "南西諸島": ("沖縄",), "琉球": ("沖縄",), "やんばる": ("沖縄",),
}

# Major cities (prefectural capitals and other well-known cities) → prefecture.
CITIES: dict[str, str] = {
    "札幌": "北海道", "函館": "北海道", "旭川": "北海道", "釧路": "北海道", "帯広": "北海道", "苫小牧": "北海道",
    "小樽": "北海道", "千歳": "北海道", "仙台": "宮城県", "盛岡": "岩手県", "八戸": "青森県", "郡山": "福島県",
    "いわき": "福島県", "横浜": "神奈川県", "川崎": "神奈川県", "相模原": "神奈川県", "さいたま": "埼玉県",
    "宇都宮": "栃木県", "前橋": "群馬県", "高崎": "群馬県", "水戸": "茨城県", "つくば": "茨城県", "成田": "千葉県",
    "甲府": "山梨県", "新宿": "東京都", "渋谷": "東京都", "名古屋": "愛知県", "豊田": "愛知県", "浜松": "静岡県",
    "四日市": "三重県", "津市": "三重県", "金沢": "石川県", "敦賀": "福井県", "大阪市": "大阪府", "堺": "大阪府",
    "神戸": "兵庫県", "姫路": "兵庫県", "大津": "滋賀県", "松江": "島根県", "倉敷": "岡山県", "福山": "広島県",
    "呉": "広島県", "下関": "山口県", "高松": "香川県", "松山": "愛媛県", "今治": "愛媛県", "北九州": "福岡県",
    "佐世保": "長崎県", "那覇": "沖縄県", "石垣": "沖縄県", "宮古島": "沖縄県",
}

# Romanised and kana spellings of the block names (and of a few prefectures and cities in English).
READINGS: dict[str, tuple[str, ...]] = {
    "北海道": ("ほっかいどう", "hokkaido", "hokkaidou", "sapporo"),
    "東北": ("とうほく", "tohoku", "touhoku", "sendai"),
    "関東": ("かんとう", "kanto", "kantou", "tokyo", "yokohama", "greater tokyo"),
    "中部": ("ちゅうぶ", "chubu", "chuubu", "nagoya", "aichi", "tokai"),
    "北陸": ("ほくりく", "hokuriku", "toyama", "ishikawa", "fukui", "kanazawa"),
    "近畿": ("きんき", "kinki", "kansai", "かんさい", "osaka", "kyoto", "kobe"),
    "中国": ("ちゅうごく", "chugoku", "chuugoku", "hiroshima", "okayama"),
    "四国": ("しこく", "shikoku"),
    "九州": ("きゅうしゅう", "kyushu", "kyuushu", "kyusyu", "fukuoka", "kumamoto", "kagoshima"),
    "沖縄": ("おきなわ", "okinawa", "naha"),
}

_ROMAJI = str.maketrans({"ū": "u", "ō": "o", "ā": "a", "ī": "i", "ē": "e"})


@dataclass(frozen=True)
class PlaceMatch:
    surface: str  # as written in the question (normalised)
    blocks: tuple[str, ...]
    via: str  # block | prefecture | city | region | reading


def _gazetteer() -> dict[str, tuple[tuple[str, ...], str]]:
    entries: dict[str, tuple[tuple[str, ...], str]] = {}
    for region, prefectures in REGION_PREFECTURES.items():
        entries[region] = ((region,), "block")
        for pref in prefectures:
            entries[pref] = ((region,), "prefecture")
            short = re.sub(r"[都府県]$", "", pref)
            if len(short) >= 2:
                entries.setdefault(short, ((region,), "prefecture"))
    for alias, regions in REGION_ALIASES.items():
        entries[alias] = (regions, "region")
    for city, pref in CITIES.items():
        region = next(r for r, ps in REGION_PREFECTURES.items() if pref in ps)
        entries.setdefault(city, ((region,), "city"))
    for region, readings in READINGS.items():
        for reading in readings:
            entries[reading] = ((region,), "reading")
            if not reading.isascii():
                entries[katakana(reading)] = ((region,), "reading")
    return {normalize(k): v for k, v in entries.items()}


_GAZETTEER = _gazetteer()
_KEYS = sorted(_GAZETTEER, key=len, reverse=True)


def find_places(text: str) -> list[PlaceMatch]:
    """Non-overlapping place names in `text`, longest first (東京都 is not 京都)."""
    norm = normalize(text).translate(_ROMAJI)
    taken = [False] * len(norm)
    found: list[tuple[int, PlaceMatch]] = []
    for key in _KEYS:
        start = 0
        while (pos := norm.find(key, start)) >= 0:
            start = pos + 1
            end = pos + len(key)
            if any(taken[pos:end]):
                continue
            if key.isascii() and (
                (pos > 0 and norm[pos - 1].isalnum()) or (end < len(norm) and norm[end].isalnum())
            ):
                continue  # romaji must be a whole word
            blocks, via = _GAZETTEER[key]
            found.append((pos, PlaceMatch(key, blocks, via)))
            for i in range(pos, end):
                taken[i] = True
    return [m for _, m in sorted(found, key=lambda x: x[0])]


def prefectures_of(block: str) -> list[str]:
    """Prefectures of a region block, in japanmap's spelling (福岡県, 東京都, 北海道 …)."""
    return list(REGION_PREFECTURES.get(block, ()))


def is_region(name: str) -> bool:
    return name in REGION_PREFECTURES or normalize(name) in _GAZETTEER
