"""Reading Markdown sources: the one scanner for fenced code, shared by every module that reads pages."""
from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{\{<\s*(.*?)\s*>\}\}")


def fence_lines(lines: list[str]):
    """Yield (index, line, in_fence) so callers can skip code blocks if they wish."""
    fence = None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~"):
            fence = marker
            yield index, line, True
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            yield index, line, True
            continue
        yield index, line, False
