"""MkDocs hooks: the thin adapter between MkDocs and scripts/handbook/.

Order on each page: check front matter -> check the practical top (technical pages) and the engine flags a page
names against data/engines/ -> resolve data placeholders -> number
citations -> append glossary abbreviations (tooltips). After rendering: TeX to
MathML. Every problem is logged as an error naming `file:line` and the fix;
under `strict: true` the build then fails, without a traceback.
"""
from __future__ import annotations

import datetime
import logging
import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from handbook import data  # noqa: E402
from handbook.checks import anatomy, engineflags, rendercheck  # noqa: E402
from handbook.data import bibliography  # noqa: E402
from handbook.data import glossary as glossary_data  # noqa: E402
from handbook.errors import HandbookError  # noqa: E402
from handbook.render import (  # noqa: E402
    citations,
    frontmatter,
    glossary,
    llmstxt,
    mathml,
    placeholders,
    printpage,
    registry,
    searchindex,
    theme,
    widgets,
)

log = logging.getLogger("mkdocs.hooks.handbook")
STATE: dict = {}


def _report(exc: Exception) -> None:
    log.error(str(exc))


def on_config(config, **kwargs):
    STATE.clear()
    try:
        STATE["glossary"] = glossary_data.load(docs=Path(config["docs_dir"]))
    except HandbookError as exc:
        _report(exc)
        STATE["glossary"] = []
    try:
        STATE["sources"] = bibliography.load()
    except HandbookError as exc:
        _report(exc)
        STATE["sources"] = {}
    try:  # validate the data files once, before any page uses them
        data.clear_cache()
        data.load_models()
        data.load_gpus()
    except HandbookError as exc:
        _report(exc)
        STATE["data_failed"] = True   # reported once here; pages would otherwise repeat it for every placeholder
    else:
        for problem in data.check_source_refs(set(STATE["sources"])):
            _report(problem)
            STATE["data_failed"] = True
    STATE["abbr"] = glossary.abbreviations(STATE["glossary"])
    STATE["keywords"] = glossary.search_keywords(STATE["glossary"])
    return config


def on_files(files, config, **kwargs):
    """Scan every page for citations first, so the bibliography knows who cites what."""
    citing: dict[str, list[tuple[str, str]]] = {}
    STATE["titles"] = titles = {}
    for file in files.documentation_pages():
        text = file.content_string
        front, body, _ = frontmatter.split(text)
        title = next((line[7:].strip().strip('"') for line in front.splitlines() if line.startswith("title:")),
                     file.src_uri)
        titles[file.src_uri] = title
        for _, key in citations.scan(body):
            pages = citing.setdefault(key, [])
            if (file.src_uri, title) not in pages:
                pages.append((file.src_uri, title))
    STATE["citing"] = citing
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    src = page.file.src_uri
    where = f"docs/{src}"
    try:
        frontmatter.validate(page.file.content_string, where)
    except HandbookError as exc:
        _report(exc)
        return markdown
    _front, body, first_line = frontmatter.split(page.file.content_string)
    findings = engineflags.check_page(body, where, first_line)
    if anatomy.is_technical(src):
        findings += anatomy.check_page(body, where, first_line)
    for finding in findings:
        _report(HandbookError(finding.where, finding.message, finding.fix))
    first_line += len(body) - len(body.lstrip("\n"))  # MkDocs strips blank lines after the front matter
    context = registry.Page(src=src, glossary=STATE["glossary"], sources=STATE["sources"],
                            citing=STATE.get("citing", {}), titles=STATE.get("titles", {}))
    if STATE.get("data_failed"):
        STATE.setdefault("failed", set()).add(page.file.dest_uri)
        return markdown
    try:
        markdown = placeholders.render(markdown, where, first_line, context)
        markdown = citations.render(markdown, src, STATE["sources"], first_line)
    except HandbookError as exc:
        _report(exc)
        STATE.setdefault("failed", set()).add(page.file.dest_uri)  # its raw markup is expected; don't report it twice
        return markdown
    STATE.setdefault("markdown", {})[src] = (page, markdown)
    if "![" not in markdown and "<img" not in markdown:
        # No image to enlarge: mkdocs-glightbox's documented page switch keeps its script and stylesheet (about
        # 18 KB gzip) off the page.
        page.meta.setdefault("glightbox", False)
    # Tooltips on every page but the glossary, where each term is defined in place: its 900 tooltips added
    # 900 elements for Material to set up on the reader's first interaction (700 ms on the 2-core test machine).
    if STATE["abbr"] and "{{< glossary >}}" not in page.file.content_string:
        markdown += "\n\n" + STATE["abbr"] + "\n"
    return markdown


def on_nav(nav, config, files, **kwargs):
    STATE["order"] = [page.file.src_uri for page in nav.pages]
    return nav


def on_page_content(html, page, config, files, **kwargs):
    try:
        html, has_math = mathml.render(html)
    except mathml.MathError as exc:
        _report(HandbookError(f"docs/{page.file.src_uri}", str(exc), "fix the TeX; latex2mathml must accept it."))
        return html
    page.meta["has_math"] = has_math
    html = theme.unsearched_production_box(theme.focusable_tab_labels(html))
    html = widgets.share_repeated_data(html)
    # Reading time and build date are computed here, not in templates, so that overrides/ needs no filter or
    # method that MiniJinja (the engine of Material's successor) lacks (wordcount, strftime).
    words = len(re.sub(r"<[^>]+>", " ", html).split())
    page.meta["reading_minutes"] = max(1, math.ceil(words / 220))
    page.meta["built"] = STATE.setdefault("built", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"))
    if "toc" in (page.meta.get("hide") or []) and page.toc.items:
        # Material hides such a table of contents but still writes it out twice (sidebar and mobile navigation):
        # 2,800 hidden elements on the glossary. Keep only the title, which the "Skip to content" link needs.
        from mkdocs.structure.toc import TableOfContents

        title = page.toc.items[0]
        title.children = []
        page.toc = TableOfContents([title])
    return html


def _scripts_out_of_the_way(html: str, where: str) -> str:
    """Material's bundle started on the reader's first interaction (scripts/handbook/render/theme.py)."""
    try:
        html = theme.defer_material(html, where)
    except HandbookError as exc:
        _report(exc)
    return html


def on_post_page(output, page, config, **kwargs):
    return printpage.strip_print_assets(_scripts_out_of_the_way(output, f"docs/{page.file.src_uri}"))


def on_post_template(output_content, template_name, config, **kwargs):
    if not template_name.endswith(".html"):  # sitemap.xml
        return output_content
    return printpage.strip_print_assets(_scripts_out_of_the_way(output_content, f"overrides/{template_name}"))


def on_post_build(config, **kwargs):
    """Write llms.txt and the Markdown of every page, then bundle the scripts."""

    llmstxt.write(Path(config["site_dir"]), config, STATE.get("order", []), STATE.get("markdown", {}))
    _bundle_scripts(config)
    site = Path(config["site_dir"])
    urls = {page.file.src_uri: page.url for page, _ in STATE.get("markdown", {}).values()}
    keywords = {urls[src]: words for src, words in STATE.get("keywords", {}).items() if src in urls}
    searchindex.add_keywords(site / "search" / "search_index.json", keywords)
    print_page = site / "print_page" / "index.html"
    if print_page.is_file():
        text = printpage.finish(print_page.read_text(encoding="utf-8"))
        print_page.write_text(_scripts_out_of_the_way(text, "print_page/index.html"), encoding="utf-8")
    _check_rendered(site, config)


def _check_rendered(site: Path, config) -> None:
    """Fail the build on markup that reached the reader unrendered (scripts/handbook/checks/rendercheck.py)."""
    from handbook import DATA

    failed = STATE.get("failed", set())
    skip = failed | ({"print_page/index.html"} if failed else set())
    for message in rendercheck.scan_site(site, Path(config["docs_dir"]), DATA, skip=skip):
        log.error(message)


def _bundle_scripts(config) -> None:
    """Concatenate extra.javascript_widgets into javascripts/widgets.js, which handbook.js loads on pages with a
    calculator or explainer: one request instead of three on those pages (tests/test_quality.py's page budget)."""
    parts = []
    for source in config["extra"].get("javascript_widgets", []):
        path = Path(config["docs_dir"]) / source
        if path.is_file():
            parts.append(f"/* {source} */\n" + path.read_text(encoding="utf-8"))
    if parts:
        out = Path(config["site_dir"]) / "javascripts" / "widgets.js"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n;\n".join(parts), encoding="utf-8")
