"""The CLI's --json is strict JSON: a number JSON cannot hold is an error, never Infinity or NaN in the output."""

from __future__ import annotations

import json

import pytest

from cli.common import print_json
from graph.errors import UserError


def test_json_output_parses_with_a_strict_parser(capsys):
    print_json({"revenue_at_risk": 1e30, "ids": ["a", "ü"]})
    out = capsys.readouterr().out
    assert json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in the output")) == {
        "revenue_at_risk": 1e30, "ids": ["a", "ü"]}


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan")])
def test_a_number_json_cannot_hold_is_refused_before_anything_is_printed(capsys, number):
    with pytest.raises(UserError, match="JSON cannot represent"):
        print_json({"people": [{"referred_revenue": number}]})
    assert capsys.readouterr().out == ""
