"""English → Japanese for questions asked in English: the plan's own terms and common question words.
Applied to a copy of the question used for matching; answers are always in Japanese."""

from __future__ import annotations

import re

GLOSSARY: dict[str, str] = {
    "crisis management investment": "危機管理投資",
    "crisis-management investment": "危機管理投資",
    "growth investment": "成長投資",
    "strong economy": "強い経済",
    "virtuous cycle": "好循環",
    "strategic fields": "戦略分野",
    "strategic sectors": "戦略分野",
    "cross-cutting issues": "分野横断的課題",
    "cross-sectoral issues": "分野横断的課題",
    "cross-cutting challenges": "分野横断的課題",
    "legend": "凡例",
    "industrial cluster": "産業クラスター",
    "cluster": "クラスター",
    "domestic investment": "国内投資",
    "economic security": "経済安全保障",
    "energy security": "エネルギー安全保障",
    "food security": "食料安全保障",
    "startups": "スタートアップ",
    "startup": "スタートアップ",
    "human resources": "人材",
    "wage increases": "賃上げ",
    "cybersecurity": "サイバーセキュリティ",
    "physical ai": "フィジカルAI",
    "risk money": "リスクマネー",
    "supply chain": "サプライチェーン",
    "expo": "万博",
}

_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(GLOSSARY, key=len, reverse=True)), re.IGNORECASE)


def translate_terms(text: str) -> str:
    """`text` with the glossary's English phrases replaced by the documents' Japanese terms."""
    return _PATTERN.sub(lambda m: GLOSSARY[m.group(0).lower()], text)
