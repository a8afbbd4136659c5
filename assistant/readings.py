"""Questions typed in kana without conversion (「ききかんりとうしってなに」「きゅうしゅうのぶんや」):
long hiragana runs are matched, by reading, against the words of the documents."""

from __future__ import annotations

import re
from typing import Iterable

from corpus.text import Tokenizer, katakana

MIN_RUN = 6  # shorter hiragana runs are ordinary Japanese (の, について, どういう …)
MIN_WORD = 3  # a word's reading must be at least this long to replace kana
MIN_COVER = 0.6  # share of the run that readings of the documents' words must cover


class ReadingIndex:
    def __init__(self, words: Iterable[str], tokenizer: Tokenizer) -> None:
        self._by_reading: dict[str, str] = {}
        for word in words:
            if not re.search(r"[一-龥]", word):
                continue  # only words with kanji are worth converting to
            reading = "".join(t.reading for t in tokenizer.tokens(word))
            if len(reading) >= MIN_WORD:
                self._by_reading.setdefault(reading, word)
        self._longest = max(map(len, self._by_reading), default=0)

    def convert(self, text: str) -> str:
        return re.sub(r"[ぁ-ゖー]{%d,}" % MIN_RUN, lambda m: self._convert_run(m.group(0)), text)

    def _convert_run(self, run: str) -> str:
        kata = katakana(run)
        out, covered, i = [], 0, 0
        while i < len(kata):
            for j in range(min(len(kata), i + self._longest), i + MIN_WORD - 1, -1):
                word = self._by_reading.get(kata[i:j])
                if word:
                    out.append(word)
                    covered += j - i
                    i = j
                    break
            else:
                out.append(run[i])
                i += 1
        return "".join(out) if covered >= MIN_COVER * len(run) else run
