"""Rendering merchant-authored reply templates: Jinja2's immutable sandbox, plus limits on size and work.

The sandbox alone stops attribute escapes (``''.__class__``) but not resource exhaustion: a 30-line
template can double a string thirty times, and ``range`` allows 100 000 items. So, on top of it:

- a language subset: no macros, blocks, includes, block ``set`` or recursive loops (replies are text
  with variables, conditions and loops; everything that buffers output elsewhere is refused);
- every loop's iterable is wrapped to count iterations, every call is counted, and both check a
  deadline — bounded render time without threads or signals;
- numbers passed to functions/filters, ``*``/``**``/``%`` operands and every intermediate value are
  capped, so no single step can allocate much more than the output limit;
- the output is streamed and cut at ``MAX_OUTPUT``.

Every problem (syntax, sandbox violation, limit) comes back as a ``RenderResult`` with a message
and, where known, the template line — never an exception for the HTTP layer.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

MAX_SOURCE = 10_000  # bytes of template source
MAX_OUTPUT = 50_000  # characters of output, and of any intermediate value
MAX_RANGE = 1_000  # items one range() may produce (Jinja's own MAX_RANGE is 100 000)
MAX_ITERATIONS = 10_000  # loop iterations per render, all loops together
MAX_CALLS = 2_000  # function/method calls per render
MAX_NUMBER = 10_000  # largest number a function or filter may receive (widths, counts)
MAX_INT_BITS = 256  # results of * and ** on integers
TIME_LIMIT = 0.5  # seconds per render
TEMPLATE_FILENAME = "<template>"

# Statements that buffer output outside the streamed result, or reach for other templates.
_REFUSED_NODES: dict[type[nodes.Node], str] = {
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.AssignBlock: "{% set %}…{% endset %}",
    nodes.Block: "{% block %}",
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
}
_REMOVED_GLOBALS = ("lipsum", "namespace", "cycler", "joiner")
# A %-format or str.format width/precision of five digits or more, or one taken from an argument.
_HUGE_FORMAT_WIDTH = re.compile(r"\d{5,}|%[-#0 +]*\*")


class RenderLimit(TemplateError):
    """The template asked for more work or memory than a reply may use."""


@dataclass(frozen=True)
class RenderResult:
    ok: bool
    text: str = ""
    error: str = ""
    line: int | None = None

    @property
    def message(self) -> str:
        """The error as shown to the merchant: "Line 3: …"."""
        if self.ok:
            return ""
        return f"Line {self.line}: {self.error}" if self.line else self.error

    @classmethod
    def failure(cls, error: str, line: int | None = None) -> RenderResult:
        return cls(ok=False, error=error, line=line)


class _Budget:
    def __init__(self) -> None:
        self.iterations = 0
        self.calls = 0
        self.deadline = time.monotonic() + TIME_LIMIT

    def iteration(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise RenderLimit(f"loops may run at most {MAX_ITERATIONS} times in one reply")
        self.check_time()

    def call(self) -> None:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise RenderLimit(f"a reply may call functions at most {MAX_CALLS} times")
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimit(f"the reply took longer than {TIME_LIMIT} s to render")


_budget: ContextVar[_Budget | None] = ContextVar("reply_render_budget", default=None)


def _current_budget() -> _Budget | None:
    return _budget.get()


def _check_size(value: Any) -> Any:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset) and len(value) > MAX_OUTPUT:
        raise RenderLimit(f"a value longer than {MAX_OUTPUT} characters was produced")
    return value


def _check_numbers(values: Iterable[Any], where: str) -> None:
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise RenderLimit(f"numbers passed to {where} are limited to {MAX_NUMBER}")


def _check_format(template: Any) -> None:
    if isinstance(template, str) and _HUGE_FORMAT_WIDTH.search(template):
        raise RenderLimit("format widths are limited to four digits")


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise RenderLimit(f"range() may produce at most {MAX_RANGE} items")
    return numbers


def _loop_guard(iterable: Any) -> Iterator[Any]:
    """Wrapped around every ``{% for %}`` iterable by ``_Guards``: counts iterations, watches the clock."""
    budget = _current_budget()
    for item in iterable:
        if budget is not None:
            budget.iteration()
        yield item


def _guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    # Filters marked pass_context/pass_environment/pass_eval_context get that object first.
    skip = 2 if hasattr(function, "jinja_pass_arg") else 1

    @functools.wraps(function)  # keeps jinja_pass_arg, so Jinja still passes the context
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_numbers([*args[skip:], *kwargs.values()], f"|{name}")
        if name == "format" and len(args) >= skip:
            _check_format(args[skip - 1])
        return _check_size(function(*args, **kwargs))

    return guarded


class _Guards(NodeTransformer):
    """Wraps loop iterables and ``~`` concatenations in the guard filters."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_loop_guard", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, "_size_guard", [], [], None, None, lineno=node.lineno)


class ReplyEnvironment(ImmutableSandboxedEnvironment):
    """The one environment merchant templates run in (``autoescape`` only for HTML output)."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def __init__(self, *, autoescape: bool = False) -> None:
        super().__init__(autoescape=autoescape, undefined=ChainableUndefined, keep_trailing_newline=True)
        for name in _REMOVED_GLOBALS:
            self.globals.pop(name, None)
        self.globals["range"] = _bounded_range
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters["_loop_guard"] = _loop_guard
        self.filters["_size_guard"] = _check_size

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        # The sandbox would return an Undefined that only fails when used, and ChainableUndefined
        # never fails: refuse at once, so that every escape attempt is reported.
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} is not allowed")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(getattr(value, "__self__", ""))
        return wrapped

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _current_budget()
        if budget is not None:
            budget.call()
        if __obj is not _bounded_range:
            _check_numbers([*args, *kwargs.values()], f"{getattr(__obj, '__name__', 'a function')}()")
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%":
            _check_format(left)
        return _check_size(super().call_binop(context, operator, left, right))

    def prepare(self, source: str) -> Template:
        """Parse, check the language subset, add the guards, compile. Raises ``TemplateError``."""
        tree = self.parse(source, filename=TEMPLATE_FILENAME)
        for node_type, label in _REFUSED_NODES.items():
            for node in tree.find_all(node_type):
                raise TemplateSyntaxError(f"{label} is not allowed in replies", node.lineno)
        for loop in tree.find_all(nodes.For):
            if loop.recursive:
                raise TemplateSyntaxError("recursive loops are not allowed in replies", loop.lineno)
        guarded = _Guards().visit(tree)
        assert isinstance(guarded, nodes.Template)
        guarded.set_environment(self)
        code = self.compile(guarded, filename=TEMPLATE_FILENAME)
        return self.template_class.from_code(self, code, self.make_globals(None))


def _check_repeat(left: Any, right: Any) -> None:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            if len(sequence) * count > MAX_OUTPUT:
                raise RenderLimit(f"a value longer than {MAX_OUTPUT} characters was produced")
            return
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_INT_BITS
    ):
        raise RenderLimit("numbers that large are not allowed")


def _check_power(base: Any, exponent: Any) -> None:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and base not in (0, 1, -1)
        and exponent > 0
        and base.bit_length() * exponent > MAX_INT_BITS
    ):
        raise RenderLimit("numbers that large are not allowed")


TEXT = ReplyEnvironment(autoescape=False)  # email bodies and subjects are plain text
HTML = ReplyEnvironment(autoescape=True)  # for any HTML rendering: every variable escaped


def check_template(source: str, environment: ReplyEnvironment = TEXT) -> RenderResult:
    """Whether ``source`` compiles and renders within the limits (ok, with no text) — for form
    validation. The trial render with no variables catches what only shows when the template runs
    (``''.__class__``, ``|attr``, a huge ``range``), so that such a reply is never saved."""
    compiled = _compile(source, environment)
    if isinstance(compiled, RenderResult):
        return compiled
    trial = render_template(source, {}, environment)
    return RenderResult(ok=True) if trial.ok else trial


def render_template(
    source: str, context: Mapping[str, Any], environment: ReplyEnvironment = TEXT
) -> RenderResult:
    """Render ``source`` with ``context`` (plain dicts only: nothing with methods worth calling)."""
    compiled = _compile(source, environment)
    if isinstance(compiled, RenderResult):
        return compiled
    token = _budget.set(_Budget())
    stream = compiled.generate(dict(context))
    assert isinstance(stream, Generator)  # closed below, so that a cut-off render frees its frames
    try:
        pieces: list[str] = []
        size = 0
        for piece in stream:
            size += len(piece)
            if size > MAX_OUTPUT:
                return RenderResult.failure(f"the reply is longer than {MAX_OUTPUT} characters")
            pieces.append(piece)
        return RenderResult(ok=True, text="".join(pieces))
    except SecurityError as exc:
        return RenderResult.failure(f"not allowed: {exc}", _template_line(exc.__traceback__))
    except RenderLimit as exc:
        return RenderResult.failure(str(exc), _template_line(exc.__traceback__))
    except Exception as exc:
        # Anything a template can trigger (TypeError, ZeroDivisionError, RecursionError, …) is
        # the template's problem, reported to its author; none reaches the HTTP layer.
        return RenderResult.failure(f"{type(exc).__name__}: {exc}"[:500], _template_line(exc.__traceback__))
    finally:
        stream.close()
        _budget.reset(token)


def _compile(source: str, environment: ReplyEnvironment) -> Template | RenderResult:
    if len(source.encode("utf-8")) > MAX_SOURCE:
        return RenderResult.failure(f"the template is longer than {MAX_SOURCE // 1000} KB")
    try:
        return _prepared(environment, source)
    except TemplateSyntaxError as exc:
        return RenderResult.failure(exc.message or "syntax error", exc.lineno)
    except (TemplateError, RecursionError, MemoryError) as exc:
        return RenderResult.failure(str(exc) or type(exc).__name__)


@functools.lru_cache(maxsize=256)
def _prepared(environment: ReplyEnvironment, source: str) -> Template:
    """Compiled templates are immutable and reusable: a reply previewed on every keystroke, or sent
    to many customers, compiles once per process."""
    return environment.prepare(source)


def _template_line(traceback: TracebackType | None) -> int | None:
    """The template line of the innermost template frame: Jinja rewrites the traceback so that
    those frames carry the template's own file name and line numbers."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def escape_text(text: str) -> Markup:
    """Plain text as HTML: escaped, line breaks kept (for the HTML part of an email)."""
    return Markup("<br>\n").join(Markup.escape(line) for line in text.split("\n"))
