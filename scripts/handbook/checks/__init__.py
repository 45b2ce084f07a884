"""Checks on sources and on the built site: links, glossary spelling, numbers typed by hand, what reaches the
reader unrendered, review dates."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem a source check found: where it is (`docs/a.md:12`), what is wrong, and the fix."""

    where: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} Fix: {self.fix}"
