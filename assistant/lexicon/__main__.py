"""`python -m assistant.lexicon`: write docs/fields.md and docs/places.md from the lexicon's data files,
so the documentation is the data (tests/test_lexicon.py checks they are current)."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.lexicon import Lexicon, _read

DOCS = Path(__file__).resolve().parents[2] / "docs"


def fields_md(lex: Lexicon) -> str:
    rows = "\n".join(f"| {f} | {', '.join(a)} |" for f, a in lex.aliases.items())
    return f"""{_read("fields.toml")["doc"]}| field | aliases |
|---|---|
{rows}
"""


def places_md(lex: Lexicon) -> str:
    regions = "\n".join(f"| {r.name} | {'、'.join(r.prefectures)} | {r.lat} |" for r in lex.regions.values())
    aliases = "\n".join(f"| {a} | {'・'.join(rs)} |" for a, rs in lex.region_aliases.items())
    cities = "\n".join(f"| {c} | {p} |" for c, p in lex.cities.items())
    readings = "\n".join(f"| {r.name} | {', '.join(r.readings)} |" for r in lex.regions.values() if r.readings)
    return f"""{_read("places.toml")["doc"]}## Regions

| region | prefectures | lat |
|---|---|---|
{regions}

## Areas people name instead of a region

| name | region |
|---|---|
{aliases}

## Cities

| city | prefecture |
|---|---|
{cities}

## Readings

| region | readings |
|---|---|
{readings}
"""


def main() -> int:
    lex = Lexicon.load()
    (DOCS / "fields.md").write_text(fields_md(lex), encoding="utf-8")
    (DOCS / "places.md").write_text(places_md(lex), encoding="utf-8")
    print(f"wrote {DOCS / 'fields.md'} and {DOCS / 'places.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
