"""The glossary in the site: the glossary page, the abbreviation tooltips on every other page and the search
keywords that point a term at the page that explains it.
"""
from __future__ import annotations

import os

from handbook.data.glossary import Entry, sort_key


def abbreviations(entries: list[Entry]) -> str:
    """Markdown abbreviation definitions (abbr extension) for every abbreviation."""
    lines = [f"*[{e.abbr}]: {e.tooltip}" for e in entries if e.abbr]
    # One definition per block: Python-Markdown re-tests a block against every block processor after
    # each definition it consumes, so one block of 170 lines made the build quadratic (60 s instead of 10 s).
    return "\n\n".join(lines)


def page(entries: list[Entry], page_src: str = "reference/glossary.md") -> str:
    """Markdown body of the glossary page: A-Z jump list, then one section per entry."""
    here = os.path.dirname(page_src)
    by_id = {e.id: e for e in entries}
    letters: dict[str, list[Entry]] = {}
    for entry in entries:
        first = sort_key(entry.term)[:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(entry)
    jump = " · ".join(f"[{letter}](#letter-{letter.lower() if letter != '#' else 'num'})" for letter in letters)
    out = [f'<nav class="glossary-jump" aria-label="Glossary letters" markdown>{jump}</nav>', "",
           f"{len(entries)} terms. Abbreviations show this definition when you hover over them on any other page.", ""]
    for letter, group in letters.items():
        out += [f"## {letter} {{#letter-{letter.lower() if letter != '#' else 'num'}}}", ""]
        for entry in group:
            target, _, anchor = entry.explained_in.partition("#")
            link = os.path.relpath(target, here) + (f"#{anchor}" if anchor else "")
            out += [f"### {entry.heading} {{#{entry.id}}}", "", entry.definition, "",
                    f"Explained in: [{target[:-3].replace('/', ' › ')}]({link})"]
            if entry.related:
                related = ", ".join(f"[{by_id[r].abbr or by_id[r].term}](#{r})" for r in entry.related)
                out[-1] += f" · Related: {related}"
            out.append("")
    return "\n".join(out)


def search_keywords(entries: list[Entry]) -> dict[str, list[str]]:
    """Page (docs-relative .md path) -> the terms, abbreviations and variant
    spellings whose glossary entry says that page explains them. The search index
    stores them as the page's keywords, the way a book's index points a term (and
    its "see" spellings, such as "quantisation") at the page that defines it;
    see-also entries are cross-references and add nothing."""
    keywords: dict[str, list[str]] = {}
    for entry in entries:
        if entry.see_also:
            continue
        page = entry.explained_in.split("#", 1)[0]
        words = keywords.setdefault(page, [])
        for word in (entry.abbr, entry.term, *entry.variants):
            if word and word not in words:
                words.append(word)
    return keywords
