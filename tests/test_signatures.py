"""The signature classifier: which changes a caller written for the old signature survives."""

from __future__ import annotations

import pytest

from dgtui.graph.signatures import KEYWORD, POSITIONAL, VAR_KEYWORD, VAR_POSITIONAL, Param, classify, parameters


def test_parameters_of_python_and_typescript_signatures():
    assert parameters("def f(a, b=1, *args, c, d: int = 2, **kw):") == [
        Param("a", POSITIONAL), Param("b", POSITIONAL, True), Param("args", VAR_POSITIONAL, True),
        Param("c", KEYWORD), Param("d", KEYWORD, True), Param("kw", VAR_KEYWORD, True)]
    assert parameters("async def g(self, x: dict[str, int] = {}, /, *, y):") == [
        Param("self", POSITIONAL), Param("x", POSITIONAL, True), Param("y", KEYWORD)]
    assert parameters("export function h(a: Map<string, number>, b?: number, c = 2, ...rest: any[])") == [
        Param("a", POSITIONAL), Param("b", POSITIONAL, True), Param("c", POSITIONAL, True),
        Param("rest", VAR_POSITIONAL, True)]
    assert parameters("const k = ({y, z} = {}, w) =>") == [Param("{y, z}", POSITIONAL, True), Param("w", POSITIONAL)]
    assert parameters("const k = x =>", ("x",)) == [Param("x", POSITIONAL)]
    assert parameters("def f(a=(1, 2), b='x,y', c=a == 1):") == [
        Param("a", POSITIONAL, True), Param("b", POSITIONAL, True), Param("c", POSITIONAL, True)]


COMPATIBLE = [
    ("def f(a):", "def f(a, b=1):", "new parameter b with a default"),
    ("def f(a):", "def f(a, *args):", "new *args"),
    ("def f(a):", "def f(a, **kwargs):", "new **kwargs"),
    ("def f(a):", "def f(a, *, flag=False):", "new keyword parameter flag with a default"),
    ("def f(a, b):", "def f(a, b=2):", "parameter b got a default"),
    ("def f(a, *, k):", "def f(a, *, k=1):", "parameter k got a default"),
    ("def f(a: int) -> int:", "def f(a: str) -> str:", ""),  # types are not checked here
    ("function f(a)", "function f(a, b?: string)", "new parameter b with a default"),
    ("function f(a)", "function f(a, ...rest)", "new *rest"),
]
BREAKING = [
    ("def f(a, b):", "def f(a):", "parameter b removed"),
    ("def f(a, b):", "def f(a, c):", "parameter b renamed to c"),
    ("def f(a, b):", "def f(b, a):", "parameter a moved"),
    ("def f(a):", "def f(a, b):", "new required parameter b"),
    ("def f(a):", "def f(a, *, b):", "new required keyword parameter b"),
    ("def f(a, b=1):", "def f(a, b):", "parameter b lost its default"),
    ("def f(a, b):", "def f(a, *, b):", "parameter b became keyword-only"),
    ("def f(a, *args):", "def f(a):", "*args removed"),
    ("def f(a, **kw):", "def f(a):", "**kw removed"),
    ("def f(a, *, k=1):", "def f(a):", "keyword parameter k removed"),
    ("function f(a, b?: number)", "function f(a, b: number)", "parameter b lost its default"),
]


@pytest.mark.parametrize("old,new,what", COMPATIBLE)
def test_compatible_changes(old, new, what):
    change = classify(old, new)
    assert not change.breaking, change
    assert str(change) == what


@pytest.mark.parametrize("old,new,what", BREAKING)
def test_breaking_changes_say_which(old, new, what):
    change = classify(old, new)
    assert change.breaking and what in change.what, change


def test_async_is_part_of_the_signature():
    change = classify("def f(a):", "async def f(a):", old_async=False, new_async=True)
    assert change.breaking and change.what == ("became async",)
    assert classify("async def f():", "def f():", old_async=True).what == ("is no longer async",)
