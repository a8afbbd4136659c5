"""資料 and 分野マップ in a real browser (issue 20 §3–§4, issue 18 §2 matrix and "your own plan").

Each test works on its own data folder (an app of its own), never on the shared session index, so uploads
and deletions here cannot change what other tests see. Chromium and Playwright as in test_ui_browser.py.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, own_app
from tests.test_ui_browser import (  # noqa: F401 - fixtures and helpers shared with the other browser tests
    answers,
    ask,
    bot_messages,
    browser,
    choose,
    open_groups,
    open_page,
    shot,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

FIXTURES = REPO / "tests" / "fixtures"
SHIZUOKA = FIXTURES / "shizuoka_plan.md"
SHIZUOKA_TITLE = "静岡県地域産業成長プラン2030（素案）"  # its H1; the file is shizuoka_plan.md
BUNDLED_PLAN = "各地方ブロック別の戦略産業クラスター計画の素案（概要）"
OVERVIEW = "成長戦略の概要（17の戦略分野、危機管理投資・成長投資）"


@pytest.fixture(scope="module")
def docs_app(tmp_path_factory):
    """(url, settings) of an app over a data folder of its own: the bundled documents, then whatever the tests add."""
    yield from own_app(tmp_path_factory, "docs-browser-data")


def pick(page, selector: str, *options: str) -> None:
    """Choose options of a dropdown and close its list (a multiselect's list stays open over the page)."""
    for option in options:
        choose(page, selector, option)
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('ul.options')")


def upload(page, files: list[dict]) -> None:
    page.get_by_role("tab", name="資料").click()
    box = page.locator("#upload-box")
    if not page.locator("#upload-files").is_visible():
        box.get_by_text("資料を追加する").click()
    page.set_input_files("#upload-files input[type=file]", files=files)
    stem = Path(files[-1]["name"]).stem
    page.wait_for_function("s => document.querySelector('#upload-files').innerText.includes(s)", arg=stem)


def md(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/markdown", "buffer": text.encode("utf-8")}


def delete_document(page, title: str) -> None:
    """Delete a document of one's own through the 資料 tab (and wait until that deletion is done)."""
    choose(page, "#doc-select", title)
    page.click("#doc-delete")
    page.wait_for_selector("#delete-confirm #delete-yes")
    page.click("#delete-yes")
    page.wait_for_function("t => document.querySelector('#doc-status').innerText.includes(`「${t}」を削除しました`)",
                           arg=title)


def png_colours(src: str) -> dict[str, int]:
    """'#rrggbb' → pixels of that colour (opaque pixels only) of a data: URL PNG."""
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGBA")
    return {f"#{r:02x}{g:02x}{b:02x}": n for n, (r, g, b, a) in image.getcolors(maxcolors=1 << 20) if a == 255}


SHOWN_MAPS = ("() => [...document.querySelectorAll('#japan-map img')]"
              ".filter(i => i.checkVisibility({opacityProperty: true, visibilityProperty: true}))")


def visible_map_src(page) -> str:
    """The map image the page shows (one per theme is sent; the other is transparent)."""
    shown = page.evaluate(f"() => ({SHOWN_MAPS})().map(i => i.src)")
    assert len(shown) == 1, len(shown)
    return shown[0]


# --- 資料: uploads --------------------------------------------------------------------------------------------------

# Enough distinct paragraphs that making the file's passages ready takes several steps.
BIG = "# 沿岸地域の産業振興計画\n\n" + "".join(
    f"## 第{k}節 沿岸地区{k}の取組\n\n"
    + "".join(f"沿岸地区{k}では、水産資源の管理と加工品の販路拡大を進める。第{k}-{j}の取組として、"
              f"漁港{k}{j}号の設備更新と、若手漁業者{k * 10 + j}名の育成を行い、{2026 + j}年度までに成果を確認する。"
              for j in range(1, 6)) + "\n\n"
    for k in range(1, 41))
SMALL = "# 小さな覚え書き\n\n港の清掃活動を毎月第一日曜日に行う。\n"

WATCH_UPLOAD = """() => {
  window.__bars = [];
  new MutationObserver(() => {
    const rows = [...document.querySelectorAll('#upload-status .upload-progress li.upl, #upload-status .upload-progress li.err')];
    // Gradio's own status overlays (its progress bars and timers) that can be seen
    const overlays = [...document.querySelectorAll('.progress-text, .eta-bar, .progress-level')]
      .filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true}))
      .map(e => (e.closest('[id]') || {}).id + ': ' + e.textContent.trim().slice(0, 40));
    window.__overlays = (window.__overlays || []).concat(overlays);
    if (rows.length || overlays.length) window.__bars.push({overlays: overlays.length, rows: rows.map(r => ({
      file: r.dataset.file, state: r.dataset.state, done: +r.dataset.done || 0, total: +r.dataset.total || 0,
      bar: r.querySelector('progress') ? [+r.querySelector('progress').value, +r.querySelector('progress').max] : null}))});
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


def test_an_upload_shows_one_honest_bar_per_file_filled_by_its_passages(open_page, docs_app):
    """Fails before: the upload showed Gradio's own bar on each of its outputs (four bars at 0.0 % for the
    whole upload), none of them per file."""
    url, settings = docs_app
    page = open_page(url).page
    upload(page, [md("沿岸計画.md", BIG), md("覚え書き.md", SMALL)])
    page.evaluate(WATCH_UPLOAD)
    page.click("#upload-button")
    page.wait_for_selector('#upload-status .upload-report[data-added="2"]', timeout=300_000)
    seen = page.evaluate("window.__bars")
    assert seen, "no progress was shown while the upload ran"
    assert all(s["overlays"] == 0 for s in seen), ("Gradio's own progress overlay was shown",
                                                   sorted(set(page.evaluate("window.__overlays"))))
    for snapshot in seen:  # one bar per file, in the order given, every time
        assert [r["file"] for r in snapshot["rows"]] == ["沿岸計画.md", "覚え書き.md"], snapshot
        assert all(r["bar"] is not None for r in snapshot["rows"]), snapshot
    big = [s["rows"][0] for s in seen]
    totals = {r["total"] for r in big if r["total"]}
    assert len(totals) == 1 and totals.pop() > 8  # counted in passages, the same total all along
    done = [r["done"] for r in big]
    assert done == sorted(done), done  # it never goes back
    assert any(0 < r["done"] < r["total"] for r in big), big  # and was seen part way, by passage
    assert all(r["bar"][0] == r["done"] and r["bar"][1] == r["total"] for r in big if r["total"])
    assert big[-1]["state"] == "done" and big[-1]["done"] == big[-1]["total"]
    small = seen[-1]["rows"][1]
    assert small["state"] == "done" and small["bar"][0] == small["bar"][1]
    shot(page, "ui-upload-progress.png")
    # the library is left as it was
    for title in ("沿岸地域の産業振興計画", "小さな覚え書き"):
        delete_document(page, title)
    assert not {"沿岸計画.md", "覚え書き.md"} & {p.name for p in settings.documents_dir.iterdir()}


SANRIKU = ("■ 三陸\n\n①スマート漁業 ②水産加工\n分野でのクラスター形成を検討している。\n\n"
           "■ 仙台湾\n\n①港湾物流 ②水産加工\n分野でのクラスター形成を検討している。\n")


def test_a_deleted_document_leaves_the_upload_report_and_old_answers_say_it_was_deleted(open_page, docs_app):
    """Fails before: 「✓ …を追加しました」 stayed after the deletion, and the earlier answer's card kept
    pointing to the 資料 tab as if the document were still there."""
    url, settings = docs_app
    page = open_page(url).page
    upload(page, [md("三陸沿岸の産業計画.md", SANRIKU)])
    page.click("#upload-button")
    page.wait_for_selector('#upload-status .upload-report[data-added="1"]')
    assert "を追加しました" in page.inner_text("#upload-status")
    page.get_by_role("tab", name="チャット").click()
    ask(page, "スマート漁業に取り組む地域は？")
    assert "三陸沿岸の産業計画" in page.locator('#sources article[data-block="三陸"]').first.inner_text()
    assert "「資料」タブで読めます" in page.inner_text("#sources")

    page.get_by_role("tab", name="資料").click()
    delete_document(page, "三陸沿岸の産業計画")
    page.wait_for_function("() => !document.querySelector('#upload-status').innerText.includes('を追加しました')")
    assert "三陸沿岸の産業計画.md" not in page.inner_text("#upload-status")
    assert not (settings.documents_dir / "三陸沿岸の産業計画.md").exists()

    page.get_by_role("tab", name="チャット").click()
    answer = answers(page).last
    card = answer.locator('article.src[data-block="三陸"]').first
    page.wait_for_function("() => document.querySelector('#chat article.src[data-block=\"三陸\"]')?.dataset.deleted === 'true'")
    text = card.evaluate("c => c.textContent")
    assert "削除済み" in text and "この資料は削除されました" in text and "三陸沿岸の産業計画" in text
    hint = answer.locator(".hint").evaluate_all("els => els.map(e => e.textContent).join(' ')")
    assert "削除されたため、「資料」タブでは読めません" in hint and "前後の文脈は「資料」タブで読めます" not in hint
    # the sources panel, which shows the same answer's cards, says so too
    answer.locator(".body").click()
    page.wait_for_function("() => document.querySelector('#sources article.src[data-deleted=\"true\"]')")


def test_the_bundled_plans_list_lines_lose_the_stray_dash_in_the_documents_tab(open_page, docs_app):
    """Fails before: list lines of the bundled plan read 「- ①空モビリティ ②宇宙」."""
    url, _ = docs_app
    page = open_page(url).page
    page.get_by_role("tab", name="資料").click()
    choose(page, "#doc-select", BUNDLED_PLAN)
    page.wait_for_selector('#doc-view .document[data-doc="cluster_plan"]')
    lines = [ln.strip() for ln in page.inner_text("#doc-view .doc-text").splitlines()]
    assert "①空モビリティ ②宇宙" in lines and "①半導体 ②GX ③コンテンツ" in lines
    assert not [ln for ln in lines if ln.startswith("- ")], [ln for ln in lines if ln.startswith("-")]
    assert "・AI・半導体" in lines  # the legend's plain bullets read as a Japanese list
    # offsets are unchanged: an answer's span is still marked on the text it cites
    page.get_by_role("tab", name="チャット").click()
    ask(page, "近畿で検討されている分野は？")
    page.get_by_role("tab", name="資料").click()
    page.wait_for_function("() => [...document.querySelectorAll('#doc-view mark.hl')].some(m => m.textContent.includes('①空モビリティ'))")
    assert not any(m.startswith("- ") for m in page.locator("#doc-view mark.hl").all_inner_texts())


# --- 分野マップ ---------------------------------------------------------------------------------------------------------


def rows_under(page, category: str) -> list[str]:
    return page.locator(f'#matrix tr.frag[data-category="{category}"]').evaluate_all("els => els.map(e => e.dataset.field)")


def test_fields_join_the_legends_categories_by_its_words_and_by_meaning(open_page, docs_app):
    """Fails before: 空モビリティ, 洋上風力, 水素・アンモニア and 情報通信 sat under 「その他（22）」."""
    url, _ = docs_app
    page = open_page(url).page
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#matrix tbody.grp")
    assert "空モビリティ" in rows_under(page, "乗り物")
    energy = rows_under(page, "エネルギー・GX・DX")
    for field in ("洋上風力", "水素", "アンモニア", "情報通信"):
        assert field in energy, (field, energy)
    other = rows_under(page, "その他")
    for field in ("食", "観光", "コンテンツ", "防災"):  # the legend says these are not marked
        assert field in other, (field, other)
    assert len(other) < 22
    # a field placed by meaning says so
    assert page.locator('#matrix tr.frag[data-field="空モビリティ"] th[data-placed="meaning"]').count() == 1
    assert "凡例の語と意味が近い" in page.inner_text("#matrix .matrix-legend")


def test_category_rows_show_their_counts_and_say_whether_potentials_are_included(open_page, docs_app):
    """Fails before: a category row's count cell was empty and no count said whether ○ was in it."""
    url, _ = docs_app
    page = open_page(url).page
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#matrix tbody.grp")
    assert "ブロック数（○を含む）" in page.inner_text("#matrix thead")
    category = page.locator('#matrix tr.cat[data-category="AI・半導体"] td.num')
    # 北海道, 東北, 北陸, 中部, 中国, 四国, 九州 plan it; 関東 only mentions it as a potential
    assert category.get_attribute("data-count") == "8" and category.get_attribute("data-potential") == "1"
    assert category.inner_text() == "8（うち○1）"
    open_groups(page)
    field = page.locator('#matrix tr.frag[data-field="半導体"] td.num')
    assert field.inner_text() == "8（うち○1）"
    assert page.locator('#matrix tr.frag[data-field="造船"] td.num').inner_text() == "3"
    every = page.locator("#matrix tr.cat td.num").evaluate_all("els => els.map(e => e.textContent)")
    assert all(re.fullmatch(r"\d+(（うち○\d+）)?", t) for t in every), every


def test_the_map_hatches_units_that_only_mention_a_field_apart_from_those_that_plan_it(open_page, docs_app):
    """Fails before: 関東 (○ for 半導体) was filled exactly like the blocks that plan it (●)."""
    from assistant.places import prefectures_of
    from ui.japan import map_png, unit_colors

    url, _ = docs_app
    page = open_page(url).page
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    choose(page, "#field-select", "半導体")
    page.wait_for_function("() => document.querySelector('#japan-map .map-caption').innerText.includes('「半導体」')")
    units = page.locator("#japan-map .map-legend li").evaluate_all("els => els.map(e => e.dataset.unit)")
    coloured = page.locator('#japan-map .map-legend li[data-coloured="true"]').evaluate_all(
        "els => els.map(e => e.dataset.unit)")
    assert "関東" in coloured and len(coloured) == 8
    colours = {u: c for u, c in unit_colors(units).items() if u in coloured}
    shown = png_colours(visible_map_src(page))
    areas = {u: prefectures_of(u) for u in colours}
    solid = png_colours("data:image/png;base64," + base64.b64encode(map_png(list(colours), colours, areas)).decode())
    for unit, colour in colours.items():
        if unit == "関東":  # stripes: part of its area in its colour, the rest in the land's
            assert 0.2 * solid[colour] < shown.get(colour, 0) < 0.8 * solid[colour], (unit, shown.get(colour), solid[colour])
        else:  # planned: filled as before
            assert shown.get(colour, 0) == solid[colour], unit
    # the legend and the caption say which is which
    legend = page.locator("#japan-map .map-legend")
    assert legend.get_attribute("data-potential") == "関東"
    kanto = page.locator('#japan-map li[data-unit="関東"]')
    assert kanto.get_attribute("data-strength") == "potential" and "（○）" in kanto.inner_text()
    assert "○ポテンシャルとしての言及のみ" in page.inner_text("#japan-map .map-caption")
    assert "斜線" in page.inner_text("#japan-map .map-legend")


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_map_follows_the_theme(open_page, docs_app, dark):
    """Fails before (dark): the map was one white picture, glaring on the dark page. Light: it stays light."""
    url, _ = docs_app
    page = open_page(url, dark=dark).page
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    choose(page, "#field-select", "造船")  # three blocks coloured: the rest of the map is land and sea
    page.wait_for_function("() => document.querySelector('#japan-map .map-caption').innerText.includes('「造船」')")
    shown = png_colours(visible_map_src(page))
    total = sum(shown.values())
    white = sum(n for c, n in shown.items() if all(int(c[i:i + 2], 16) > 235 for i in (1, 3, 5)))
    lum = sum(n * (0.2126 * int(c[1:3], 16) + 0.7152 * int(c[3:5], 16) + 0.0722 * int(c[5:7], 16)) / 255
              for c, n in shown.items()) / total
    if dark:
        assert white == 0 and lum < 0.45, (white, lum)
    else:
        assert white > 0.3 * total and lum > 0.6, (white, lum)
    assert page.evaluate(f"() => ({SHOWN_MAPS})().map(i => i.dataset.theme)") == ["dark" if dark else "light"]


def test_documents_without_a_matrix_say_so_instead_of_an_empty_table_and_a_blank_map(open_page, docs_app):
    """Fails before: the overview alone gave an empty table and a blank map, with no word why."""
    url, _ = docs_app
    page = open_page(url).page
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    pick(page, "#map-docs", OVERVIEW)
    page.wait_for_selector("#matrix .matrix-gap")
    text = page.inner_text("#matrix")
    assert "単位×項目" in text and "繰り返し現れる見出しや項目もありません" in text and "表と地図は表示できません" in text
    assert page.locator("#matrix table").count() == 0 and page.locator("#japan-map img").count() == 0
    assert "地図に示せるものはありません" in page.inner_text("#japan-map")


# Two chapter files of one's own: each has the same kinds of sub-headings, worded a little differently.
CHAPTER_A = ("# 第1部 ものづくり\n\n## 現状と課題\n\n部品の受注が減り、事業転換が課題である。\n\n"
             "## 主な施策\n\n- 設備投資への補助\n- 技能継承の支援\n\n## 数値目標\n\n付加価値額を2030年度までに1割増やす。\n")
CHAPTER_B = ("# 第2部 観光\n\n## 現状・課題\n\n宿泊客の滞在日数が短いことが課題である。\n\n"
             "## 主な施策\n\n- 周遊ルートの整備\n- 多言語案内の充実\n\n## 数値目標\n\n延べ宿泊者数を2030年に300万人とする。\n")


def test_documents_that_are_not_a_plan_of_units_get_their_parts_by_recurring_headings(open_page, docs_app):
    """Fails before: two chapter files gave an empty table and a blank map (units × fields only)."""
    url, settings = docs_app
    page = open_page(url).page
    upload(page, [md("第1部.md", CHAPTER_A), md("第2部.md", CHAPTER_B)])
    page.click("#upload-button")
    page.wait_for_selector('#upload-status .upload-report[data-added="2"]')
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    pick(page, "#map-docs", "第1部 ものづくり", "第2部 観光")
    page.wait_for_selector('#matrix table.matrix[data-kind="parts"]')
    assert "繰り返し現れる見出しと項目を表にしました" in page.inner_text("#matrix .matrix-note")
    columns = page.locator("#matrix thead th[data-unit]").evaluate_all("els => els.map(e => e.dataset.unit)")
    assert columns == ["第1部 ものづくり", "第2部 観光"]
    rows = page.locator("#matrix tr.frag").evaluate_all("els => els.map(e => e.dataset.field)")
    assert "主な施策" in rows and "数値目標" in rows
    assert any(r in ("現状と課題", "現状・課題") for r in rows), rows  # the same heading in other words: one row
    assert len(rows) == 3, rows
    assert page.locator("#matrix td.hit").count() == 6
    page.locator('#matrix td.hit[data-unit="第2部 観光"][data-field="数値目標"]').click()
    page.wait_for_selector("#map-passages article.src")
    assert "数値目標" in page.inner_text("#map-passages") and "第2部 観光" in page.inner_text("#map-passages")
    assert page.locator("#japan-map img").count() == 0  # chapters are no places: no blank map
    shot(page, "ui-map-parts.png", full_page=True)
    page.get_by_role("tab", name="資料").click()
    for title in ("第1部 ものづくり", "第2部 観光"):
        delete_document(page, title)
    assert not {"第1部.md", "第2部.md"} & {p.name for p in settings.documents_dir.iterdir()}


# --- issue 18, "your own plan" ------------------------------------------------------------------------------------------


def upload_own_plan(page) -> None:
    upload(page, [{"name": SHIZUOKA.name, "mimeType": "text/markdown", "buffer": SHIZUOKA.read_bytes()}])
    page.click("#upload-button")
    page.wait_for_selector("#upload-status .upload-report")


def test_your_own_plan_is_titled_by_its_h1_and_its_matrix_is_mapped(open_page, docs_app):
    """A two-page plan of one's own (第1章…, (1)(2) items, a Markdown table) through the 資料 tab. Fails before:
    its (1)(2) lines were no items, so the 分野マップ had nothing to show for it."""
    url, settings = docs_app
    page = open_page(url).page
    upload_own_plan(page)
    assert page.locator('#upload-status .upload-report[data-added="1"]').count() == 1
    assert page.input_value("#doc-select input") == SHIZUOKA_TITLE  # its H1, not the file name
    assert page.inner_text("#doc-view .document h3") == SHIZUOKA_TITLE
    assert SHIZUOKA_TITLE in page.inner_text("#upload-status") and "shizuoka_plan.md" in page.inner_text("#upload-status")

    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map")
    pick(page, "#map-docs", SHIZUOKA_TITLE)
    page.wait_for_selector('#matrix th[data-unit="西部地域"]')
    columns = page.locator("#matrix thead th[data-unit]").evaluate_all("els => els.map(e => e.dataset.unit)")
    assert columns == ["東部地域", "中部地域", "西部地域"]
    hits = set(map(tuple, page.locator("#matrix td.hit").evaluate_all(
        "els => els.map(e => [e.dataset.unit, e.dataset.field])")))
    for cell in [("東部地域", "次世代モビリティ"), ("西部地域", "次世代モビリティ"), ("中部地域", "食と農"),
                 ("西部地域", "食と農"), ("東部地域", "観光")]:
        assert cell in hits, (cell, sorted(hits))
    page.locator('#matrix td.hit[data-unit="西部地域"][data-field="次世代モビリティ"]').click()
    page.wait_for_selector("#map-passages article.src")
    passages = page.inner_text("#map-passages")
    assert "次世代モビリティ" in passages and SHIZUOKA_TITLE in passages and "##" not in passages
    shot(page, "ui-own-plan-map.png", full_page=True)


def test_your_own_plan_is_answered_from_it_about_its_subject_and_a_table_row(open_page, docs_app):
    """The chat about the same plan: its subject, and a figure only its table states (answer quality is the
    lead's part of issue 18; this test is kept as written, failing while the answers are wrong)."""
    url, settings = docs_app
    page = open_page(url).page
    if not (settings.documents_dir / SHIZUOKA.name).exists():
        upload_own_plan(page)
    page.get_by_role("tab", name="チャット").click()
    ask(page, "静岡県の計画の重点分野は？")
    subject = bot_messages(page)[-1]
    cited = page.locator("#sources article.src").evaluate_all("els => els.map(e => e.dataset.doc)")
    assert "shizuoka_plan" in cited, (subject, cited)
    assert "次世代モビリティ" in subject and "食と農" in subject, subject
    ask(page, "農産物輸出額の2030年度の目標は？")
    row = bot_messages(page)[-1]
    assert "250億円" in row, row
    cited = page.locator("#sources article.src").evaluate_all("els => els.map(e => e.dataset.doc)")
    assert cited and cited[0] == "shizuoka_plan", cited
