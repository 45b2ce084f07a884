"""Check the links of a built site: every internal href/src resolves to a file
and every #fragment to an id on the target page. External links are checked
for form offline, and for reachability on request."""
from __future__ import annotations

import posixpath
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ATTR = re.compile(r"""\s(href|src)=(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
ID = re.compile(r"""\s(?:id|name)=(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
SKIP_SCHEMES = ("mailto:", "javascript:", "data:", "tel:", "blob:")
SKIP_FILES = {"search/search_index.json"}
# Material puts these in every page for its own use; they are not reader links.
SKIP_HREFS = {"#__consent", "#__search", "#__drawer", "#__toc", "#"}


@dataclass(frozen=True)
class Finding:
    where: str
    link: str
    problem: str

    def render(self) -> str:
        return f"{self.where}: {self.problem}: {self.link}"


def _value(match: re.Match, first: int) -> str:
    return next(g for g in match.groups()[first:] if g is not None)


def collect(site: Path) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """ids per page and links per page, keyed by path relative to the site."""
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        ids[rel] = {_value(m, 0) for m in ID.finditer(text)}
        links[rel] = [_value(m, 1) for m in ATTR.finditer(text)]
    return ids, links


def _target_file(site: Path, page: str, path: str) -> str | None:
    base = posixpath.dirname(page)
    joined = posixpath.normpath(posixpath.join(base, urllib.parse.unquote(path)))
    if joined.startswith(".."):
        return None
    candidates = ([joined, posixpath.join(joined, "index.html")] if not path.endswith("/")
                  else [posixpath.join(joined, "index.html")])
    for candidate in candidates:
        if (site / candidate).is_file():
            return candidate
    return None


def check_site(site: Path, docs: Path | None = None, base_path: str = "") -> tuple[list[Finding], list[str]]:
    """Return (findings, external links). `base_path` is the URL path the site is served under."""
    ids, links = collect(site)
    base_path = base_path or infer_base_path(site)
    findings: list[Finding] = []
    external: set[str] = set()
    for page, hrefs in sorted(links.items()):
        for href in hrefs:
            href = href.replace("&amp;", "&")
            if not href or href in SKIP_HREFS or href.startswith(SKIP_SCHEMES):
                continue
            parsed = urllib.parse.urlsplit(href)
            if parsed.scheme in ("http", "https") or href.startswith("//"):
                if not parsed.netloc or " " in href or not re.match(r"^[A-Za-z0-9.-]+(:\d+)?$", parsed.netloc):
                    findings.append(Finding(locate(page, href, docs, site), href, "malformed external URL"))
                else:
                    external.add(href)
                continue
            if parsed.scheme:
                findings.append(Finding(locate(page, href, docs, site), href, f"unsupported scheme {parsed.scheme!r}"))
                continue
            path = parsed.path
            if path.startswith("/"):
                if base_path and path.startswith(base_path):
                    rest = path[len(base_path):]
                    path = posixpath.relpath(rest or ".", posixpath.dirname(page) or ".")
                    path += "/" if (not rest or rest.endswith("/")) and not path.endswith("/") else ""
                else:
                    findings.append(Finding(locate(page, href, docs, site), href,
                                            "absolute path (use a relative link)"))
                    continue
            target = page if not path else _target_file(site, page, path)
            if target is None:
                findings.append(Finding(locate(page, href, docs, site), href, "target does not exist"))
                continue
            fragment = urllib.parse.unquote(parsed.fragment)
            if fragment and target.endswith(".html") and fragment not in ids.get(target, set()):
                findings.append(Finding(locate(page, href, docs, site), href, f"no id {fragment!r} on {target}"))
    return findings, sorted(external)


def infer_base_path(site: Path) -> str:
    """The URL path the site is served under, read from sitemap.xml (MkDocs
    writes absolute URLs there and in 404.html, which must work at any depth)."""
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return ""
    match = re.search(r"<loc>([^<]+)</loc>", sitemap.read_text(encoding="utf-8"))
    if not match:
        return ""
    path = urllib.parse.urlsplit(match.group(1)).path
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


def source_of(page: str, docs: Path | None) -> Path | None:
    """site/concepts/kv-cache/index.html -> docs/concepts/kv-cache.md (when it exists)."""
    if docs is None:
        return None
    stem = page[: -len("index.html")].rstrip("/") if page.endswith("index.html") else page[:-5]
    for candidate in (f"{stem}.md", f"{stem}/index.md", "index.md" if not stem else None):
        if candidate and (docs / candidate).is_file():
            return docs / candidate
    return None


def locate(page: str, href: str, docs: Path | None, site: Path) -> str:
    """Best effort `docs/<page>.md:<line>` for a link found in built HTML."""
    source = source_of(page, docs)
    if source is None:
        return f"{site.name}/{page}"
    parsed = urllib.parse.urlsplit(href)
    needles = [href]
    name = posixpath.basename(parsed.path.rstrip("/"))
    if parsed.fragment:
        needles.append("#" + parsed.fragment)
    if name:
        needles += [name + ".md", name]
    lines = source.read_text(encoding="utf-8").splitlines()
    for needle in needles:
        for number, line in enumerate(lines, 1):
            if needle and needle in line:
                return f"{source.relative_to(docs.parent).as_posix()}:{number}"
    return f"{source.relative_to(docs.parent).as_posix()} (rendered as {site.name}/{page})"


def check_external(urls: list[str], timeout: float = 5.0) -> tuple[list[Finding], str | None]:
    """HEAD each URL; returns (findings, note). With no network, a note and no findings."""
    try:
        socket.getaddrinfo("example.com", 443)
    except OSError:
        return [], f"no network: {len(urls)} external links were checked for form only"
    findings = []
    for url in urls:
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "handbook-link-check"})
        try:
            urllib.request.urlopen(request, timeout=timeout).close()
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                findings.append(Finding("external", url, f"HTTP {exc.code}"))
        except (urllib.error.URLError, OSError) as exc:
            findings.append(Finding("external", url, f"unreachable ({exc})"))
    return findings, None
