"""`{{< calc "EXPRESSION" unit=UNIT >}}`: arithmetic on numbers from data/ and formulas.

For a derived number that no single formula gives, such as the weights one rank holds
under tensor parallelism or the bandwidth a latency target needs:

    {{< calc "weight_bytes(model='llama-3.1-70b', dtype='bf16') / 8" unit=GB >}}
    {{< calc "weight_bytes(model='llama-3.1-70b', dtype='fp8') / 0.020" unit=TB/s >}}
    {{< calc "gpu('h100-sxm', 'memory') * 0.9 - weight_bytes(model='llama-3.1-8b', dtype='bf16')" unit=GiB >}}

The expression is Python syntax restricted to numbers, strings, + - * / ** and
parentheses, `model(ID, FIELD)`, `gpu(ID, FIELD)` and the formula placeholders by
name with keyword arguments. It is evaluated in base units (bytes, bytes/s, FLOP/s,
seconds); `unit=` says which dimension the result has and how to print it (without
a unit the result is a plain count). Anything else is refused with the reason.
"""
from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from handbook import data

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow, ast.FloorDiv: operator.floordiv}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def _field(kind: str, entry_id: str, name: str) -> float:
    entry = data.model(entry_id) if kind == "model" else data.gpu(entry_id)
    value, _dimension = data.field(entry, name)
    if isinstance(value, str):
        raise ValueError(f"{kind} {entry_id} {name} is text ({value!r}), not a number")
    return value


def evaluate(expression: str, functions: dict[str, Callable[..., Any]]) -> float:
    """The value of `expression` in base units; `functions` are the formula placeholders by name."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot read the expression {expression!r}: {exc.msg}") from None

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) \
                and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            args = [walk(a) for a in node.args]
            kwargs = {k.arg: walk(k.value) for k in node.keywords if k.arg}
            if name in ("model", "gpu"):
                if len(args) != 2 or kwargs:
                    raise ValueError(f"write {name}('id', 'field')")
                return _field(name, *args)
            if name not in functions:
                raise ValueError(f"unknown function {name!r} in calc; use model(), gpu() or one of "
                                 f"{', '.join(sorted(functions))}")
            return functions[name](*args, **kwargs)
        raise ValueError(f"calc allows numbers, + - * / ** and calls, not {ast.dump(node)[:60]}")

    try:
        value = walk(tree)
    except (ArithmeticError, OverflowError) as exc:
        raise ValueError(f"cannot compute {expression!r}: {exc}") from None
    if isinstance(value, str) or not isinstance(value, (int, float)):
        raise ValueError(f"the expression gives {value!r}, not a number")
    return float(value)
