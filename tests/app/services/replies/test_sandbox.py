"""Merchant templates: variables and fallbacks render; escapes and resource abuse come back as
messages with a line number, never as exceptions."""

from __future__ import annotations

import pytest

from app.services.replies.sandbox import (
    HTML,
    MAX_OUTPUT,
    MAX_SOURCE,
    check_template,
    escape_text,
    render_template,
)

CONTEXT = {
    "customer": {"first_name": "Ava", "orders_count": 3},
    "order": {
        "number": "#1001",
        "line_items": [{"title": "Shirt", "quantity": 2}, {"title": "Cap", "quantity": 1}],
    },
}


def test_variables_loops_and_conditions_render() -> None:
    source = (
        "Hi {{ customer.first_name }},\n"
        "{% for item in order.line_items %}- {{ item.quantity }} x {{ item.title }}\n{% endfor %}"
        "{% if customer.orders_count > 2 %}Thanks for coming back!{% endif %}"
    )
    result = render_template(source, CONTEXT)
    assert result.ok, result.message
    assert result.text == "Hi Ava,\n- 2 x Shirt\n- 1 x Cap\nThanks for coming back!"


def test_default_fills_missing_values_and_unknown_paths_render_empty() -> None:
    result = render_template(
        '{{ customer.last_name | default("there") }}|{{ order.fulfillment.tracking_url }}|{{ nobody.at.all }}',
        CONTEXT,
    )
    assert (result.ok, result.text) == (True, "there||")


def test_plain_text_is_not_escaped_and_the_html_environment_escapes() -> None:
    context = {"customer": {"first_name": "<b>Tom & Jerry</b>"}}
    assert render_template("{{ customer.first_name }}", context).text == "<b>Tom & Jerry</b>"
    html = render_template("{{ customer.first_name }}", context, HTML).text
    assert html == "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"
    assert str(escape_text("a <b>\nc")) == "a &lt;b&gt;<br>\nc"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ ''.__class__.__mro__ }}", "not allowed: access to attribute '__class__'"),
        ("{{ ''|attr('__class__') }}", "not allowed: access to attribute '__class__'"),
        ("{{ customer.__class__ }}", "not allowed"),
        ("{{ range.__globals__ }}", "not allowed"),
        ("{{ customer.update({'a': 1}) }}", "not allowed"),  # immutable: no mutating methods
        ("{{ range(10**9)|list }}", "range() may produce at most 1000 items"),
        ("{{ 'x' * 10**8 }}", f"longer than {MAX_OUTPUT} characters"),
        ("{{ 10**10**10 }}", "numbers that large are not allowed"),
        ("{{ 'x'.ljust(10**6) }}", "numbers passed to ljust() are limited"),
        ("{{ 'x'|center(10**6) }}", "numbers passed to |center are limited"),
        ("{{ '%0999999d'|format(1) }}", "format widths are limited"),
        ("{{ '%0999999d' % 1 }}", "format widths are limited"),
        ("{{ '{:>999999}'.format(1) }}", "format widths are limited"),
        ("{% set a = 'x' * 40000 %}{% set b = a ~ a %}{{ b }}", f"longer than {MAX_OUTPUT} characters"),
        (
            "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
            "loops may run at most",
        ),
        ("{% for a in range(1000) %}{{ 'y' * 100 }}{% endfor %}", f"longer than {MAX_OUTPUT} characters"),
        ("{{ lipsum() }}", "'lipsum' is undefined"),
    ],
)
def test_escapes_and_abuse_are_refused_with_a_message(source: str, expected: str) -> None:
    result = render_template(source, CONTEXT)
    assert not result.ok
    assert expected in result.message
    assert result.text == ""


@pytest.mark.parametrize(
    ("source", "line", "expected"),
    [
        ("Hello\n\n{{ customer.first_name( }}", 3, "unexpected"),
        ("Hello\n{% if x %}", 2, "endif"),
        ("a\n{% macro m() %}{% endmacro %}", 2, "{% macro %} is not allowed"),
        ("a\nb\n{% include 'x' %}", 3, "{% include %} is not allowed"),
        ("a\n{% set x %}y{% endset %}", 2, "is not allowed"),
    ],
)
def test_syntax_errors_and_refused_statements_name_the_line(source: str, line: int, expected: str) -> None:
    for result in (check_template(source), render_template(source, CONTEXT)):
        assert not result.ok
        assert result.line == line
        assert result.message.startswith(f"Line {line}: ")
        assert expected in result.message


def test_runtime_errors_name_the_line() -> None:
    result = render_template("one\ntwo\n{{ 1 / 0 }}", CONTEXT)
    assert (result.ok, result.line) == (False, 3)
    assert "ZeroDivisionError" in result.message
    escape = render_template("one\n\n{{ ''.__class__ }}", CONTEXT)
    assert escape.line == 3


def test_source_and_output_sizes_are_capped() -> None:
    too_long = "x" * (MAX_SOURCE + 1)
    assert "longer than 10 KB" in render_template(too_long, CONTEXT).message
    assert render_template("x" * MAX_SOURCE, CONTEXT).ok
    big = {"s": "y" * 30_000}
    result = render_template("{{ s }}{{ s }}", big)
    assert not result.ok and f"longer than {MAX_OUTPUT} characters" in result.message
