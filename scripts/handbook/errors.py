"""One error type for every problem a contributor can cause in the sources."""
from __future__ import annotations


class HandbookError(Exception):
    """A problem in a source file, located by ``file:line`` or ``file:key``.

    ``where`` is what a reader types to jump there (``docs/a.md:12`` or
    ``data/gpus.yml:h100-sxm.memory``); ``fix`` says what to do about it.
    """

    def __init__(self, where: str, problem: str, fix: str = ""):
        self.where, self.problem, self.fix = where, problem, fix
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.problem}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text
