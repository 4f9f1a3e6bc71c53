"""A small GraphQL reader: enough of the language for the documents the app sends.

It reads one operation (``query``/``mutation``, named or anonymous, with variable definitions)
into a tree of ``Field``s with their arguments resolved against the variables. Inline fragments
(``... on T { }``) are flattened into their parent's selection: the types the devstore serves
never need the condition to tell them apart. Named fragments, directives and several operations
in one document are refused with a ``GraphQLError`` rather than half-understood.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class GraphQLError(ValueError):
    """A request the devstore cannot answer; ``code`` becomes ``errors[].extensions.code``."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Enum:
    """An enum literal (``UPDATED_AT``), kept apart from strings."""

    name: str


@dataclass(frozen=True)
class Field:
    name: str
    alias: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)
    selections: tuple[Field, ...] = ()

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class Operation:
    kind: str  # "query" or "mutation"
    name: str | None
    fields: tuple[Field, ...]


_TOKEN = re.compile(
    r"""(?P<skip>[\s,]+|\#[^\n]*)
      |(?P<block>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
      |(?P<string>"(?:[^"\\\n]|\\.)*")
      |(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      |(?P<spread>\.\.\.)
      |(?P<name>[_A-Za-z][_0-9A-Za-z]*)
      |(?P<punct>[!$():=@\[\]{}|])""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise GraphQLError(f"Parse error on {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        if kind != "skip":
            tokens.append((kind, match.group()))
        position = match.end()
    return tokens


def _block_string(raw: str) -> str:
    lines = raw[3:-3].replace('\\"""', '"""').splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents, default=0)
    body = [lines[0], *(line[cut:] for line in lines[1:])] if lines else []
    return "\n".join(body).strip("\n")


class _Reader:
    def __init__(self, text: str, variables: Mapping[str, Any]) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.variables = variables

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (value is not None and token[1] != value):
            raise GraphQLError(f"Parse error: expected {value or 'more'}, found {token[1] or 'the end'!r}")
        self.at += 1
        return token

    def name(self) -> str:
        kind, value = self.take()
        if kind != "name":
            raise GraphQLError(f"Parse error: expected a name, found {value!r}")
        return value

    def operation(self) -> Operation:
        _, value = self.peek()
        name: str | None = None
        if value == "{":
            op_kind = "query"
        else:
            op_kind = self.name()
            if op_kind not in {"query", "mutation"}:
                raise GraphQLError(f"Parse error: {op_kind!r} operations are not supported")
            if self.peek()[0] == "name":
                name = self.name()
            if self.peek()[1] == "(":
                self.skip_variable_definitions()
        fields = self.selection_set()
        if self.peek()[0] != "end":
            raise GraphQLError("Only one operation per document is supported (no fragments)")
        return Operation(op_kind, name, fields)

    def skip_variable_definitions(self) -> None:
        # Types and defaults are not checked: the variables sent are taken as they are.
        depth = 0
        while True:
            _, value = self.take()
            depth += value == "("
            depth -= value == ")"
            if depth == 0:
                return

    def selection_set(self) -> tuple[Field, ...]:
        self.take("{")
        fields: list[Field] = []
        while self.peek()[1] != "}":
            if self.peek()[0] == "spread":
                self.take()
                if self.peek()[1] != "on":
                    raise GraphQLError("Named fragments are not supported; use an inline fragment")
                self.take("on")
                self.name()
                fields.extend(self.selection_set())
                continue
            fields.append(self.field())
        self.take("}")
        return tuple(fields)

    def field(self) -> Field:
        alias, name = None, self.name()
        if self.peek()[1] == ":":
            self.take(":")
            alias, name = name, self.name()
        args: dict[str, Any] = {}
        if self.peek()[1] == "(":
            self.take("(")
            while self.peek()[1] != ")":
                key = self.name()
                self.take(":")
                args[key] = self.value()
            self.take(")")
        if self.peek()[1] == "@":
            raise GraphQLError("Directives are not supported")
        selections = self.selection_set() if self.peek()[1] == "{" else ()
        return Field(name, alias, args, selections)

    def value(self) -> Any:
        kind, value = self.take()
        if value == "$":
            return self.variables.get(self.name())
        if kind == "string":
            return json.loads(value)
        if kind == "block":
            return _block_string(value)
        if kind == "number":
            return float(value) if any(c in value for c in ".eE") else int(value)
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(value, Enum(value))
        if value == "[":
            items = []
            while self.peek()[1] != "]":
                items.append(self.value())
            self.take("]")
            return items
        if value == "{":
            obj = {}
            while self.peek()[1] != "}":
                key = self.name()
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        raise GraphQLError(f"Parse error on {value!r}")


def parse(text: str, variables: Mapping[str, Any] | None = None) -> Operation:
    """The operation in ``text``, arguments resolved with ``variables``."""
    if not isinstance(text, str) or not text.strip():
        raise GraphQLError("No query string was present")
    return _Reader(text, variables or {}).operation()
