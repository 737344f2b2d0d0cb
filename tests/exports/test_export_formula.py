"""Formula-injection neutralisation (pure)."""
import pytest

from consent_server.exports.formula import is_dangerous, neutralise, neutralise_row


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"])
def test_dangerous_values_get_a_quote(value):
    assert is_dangerous(value)
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["", "abc", "1", " =1", "/kassa?x=1", "'=already", "åäö", "\n=1"])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_a_row_keeps_numbers_and_neutralises_text():
    assert neutralise_row([1, "=x", "", "ok", 7, "-3", None]) == [1, "'=x", "", "ok", 7, "'-3", None]
