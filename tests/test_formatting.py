"""How a number prints with its unit (scripts/handbook/render/formatting.py), for pages, tables and figures."""
from __future__ import annotations

import pytest
from handbook.render.formatting import COUNT_UNITS, format_number, format_value
from handbook.units import UnitError

NBSP = "\u00a0"


@pytest.mark.parametrize("value, expected", [
    (1234.56, "1,235"),          # 100 and above: no decimals, thousands separated
    (100.4, "100"),
    (-250.7, "-251"),
    (42.0, "42"),                # whole numbers: no decimals at any size
    (7.0, "7"),
    (0.0, "0"),
    (12.34, "12.3"),             # 10 to 100: one decimal
    (-12.34, "-12.3"),           # the rule looks at the size, not the sign
    (3.351, "3.35"),             # 0.1 to 10: two decimals
    (0.1234, "0.12"),
    (0.01234, "0.012"),          # below 0.1: three decimals
    (8_030_261_248, "8,030,261,248"),
])
def test_format_number_chooses_digits_by_size(value, expected):
    assert format_number(value) == expected


@pytest.mark.parametrize("value, digits, expected", [
    (2, 2, "2.00"),
    (1234567, 1, "1,234,567.0"),
    (3.14159, 0, "3"),
    (0.01234, 1, "0.0"),
])
def test_format_number_with_explicit_digits(value, digits, expected):
    assert format_number(value, digits) == expected


@pytest.mark.parametrize("value, dimension, expected", [
    (16.06e9, "bytes", f"16.1{NBSP}GB"),                 # bytes print in decimal GB by default
    (3.35e12, "bytes/s", f"3,350{NBSP}GB/s"),
    (989.5e12, "flop/s", f"990{NBSP}TFLOPS"),
    (2.54e10, "flop", f"25.4{NBSP}GFLOPs"),
    (0.0123, "seconds", f"12.3{NBSP}ms"),
    (1500.0, "tokens/s", f"1,500{NBSP}tokens/s"),
    (295.37, "flop/byte", f"295{NBSP}FLOP/B"),
    (700.0, "watts", f"700{NBSP}W"),
    (0.5556, "usd", "$0.56"),                          # dollars: two decimals, sign in front
    (1234.567, "usd", "$1,234.57"),
    (2.8013, "ratio", "2.80\u00d7"),                    # a ratio: two decimals and a times sign
    (12, "count", "12"),                               # plain numbers print without a unit
    (123_456, "tokens", "123,456"),
    (0.9, "fraction", "0.90"),
])
def test_format_value_default_unit_for_each_dimension(value, dimension, expected):
    assert format_value(value, dimension) == expected


@pytest.mark.parametrize("value, dimension, unit, expected", [
    (131_072, "bytes", "KiB", f"128{NBSP}KiB"),
    (85_899_345_920, "bytes", "GiB", f"80{NBSP}GiB"),
    (85_899_345_920, "bytes", "GB", f"85.9{NBSP}GB"),
    (3.35e12, "bytes/s", "TB/s", f"3.35{NBSP}TB/s"),
    (0.00871, "seconds", "ms", f"8.71{NBSP}ms"),
    (2.35e-5, "seconds", "us", f"23.5{NBSP}us"),
    (0.9, "fraction", "%", "90%"),
    (123_456, "tokens", "K tokens", f"123{NBSP}K tokens"),
    (42, "count", "", "42"),                            # the empty unit is a count and prints nothing
])
def test_format_value_converts_to_the_unit_asked_for(value, dimension, unit, expected):
    assert format_value(value, dimension, unit) == expected


def test_format_value_digits_and_bare():
    assert format_value(131_072, "bytes", "KiB", digits=2) == f"128.00{NBSP}KiB"
    assert format_value(131_072, "bytes", "KiB", bare=True) == "128"
    assert format_value(989.5e12, "flop/s", digits=1) == f"989.5{NBSP}TFLOPS"
    assert format_value(0.5556, "usd", digits=3) == "$0.556"
    assert format_value(0.5556, "usd", bare=True) == "0.56"
    assert format_value(2.8013, "ratio", digits=1) == "2.8\u00d7"
    assert format_value(2.8013, "ratio", bare=True) == "2.80"
    assert format_value(16.06e9, "bytes", bare=True) == "16.1"          # default unit, number only


@pytest.mark.parametrize("value, unit, expected", [
    (2.5e6, "million", f"2.50{NBSP}million"),
    (8.03e9, "billion", f"8.03{NBSP}billion"),
    (450e9, "billion", f"450{NBSP}billion"),
    (1.2e12, "trillion", f"1.20{NBSP}trillion"),
    (12_000, "thousand", f"12{NBSP}thousand"),
])
def test_count_units(value, unit, expected):
    assert format_value(value, "count", unit) == expected


def test_count_units_bare_and_digits():
    assert format_value(2.5e6, "count", "million", digits=1, bare=True) == "2.5"
    assert COUNT_UNITS == {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def test_count_units_only_for_counts():
    with pytest.raises(UnitError, match="unit 'million' is for plain counts, this value is in bytes"):
        format_value(2e6, "bytes", "million")


@pytest.mark.parametrize("dimension, unit", [
    ("bytes", "GB/s"),        # a bandwidth unit for a size
    ("bytes/s", "GiB"),
    ("seconds", "tokens/s"),
    ("flop/s", "GFLOPs"),     # a count of operations for a rate
    ("bytes", "gib"),         # not a unit at all
])
def test_format_value_refuses_a_unit_of_another_dimension(dimension, unit):
    with pytest.raises(UnitError, match=f"unit '{unit}' does not measure {dimension}"):
        format_value(1.0, dimension, unit)


def test_wrong_unit_error_lists_the_right_ones():
    with pytest.raises(UnitError) as caught:
        format_value(1.0, "bytes/s", "GiB")
    assert "TB/s" in str(caught.value) and "'GB'" not in str(caught.value)


@pytest.mark.parametrize("unit", [None, "GiB", "GB", "MiB"])
def test_negative_bytes_are_refused(unit):
    # -48 GiB of KV budget means the weights do not fit; the message gives the size in GiB.
    with pytest.raises(ValueError, match=r"negative memory size \(-48\.0 GiB\)"):
        format_value(-48 * 2**30, "bytes", unit)


def test_negative_bytes_refused_even_bare():
    with pytest.raises(ValueError, match="negative memory size"):
        format_value(-1.0, "bytes", "B", bare=True)


def test_zero_bytes_and_other_negative_quantities_print():
    assert format_value(0, "bytes") == f"0{NBSP}GB"
    assert format_value(-0.25, "ratio") == "-0.25\u00d7"      # only sizes of memory must not be negative
    assert format_value(-3, "count") == "-3"


def test_text_passes_through_unchanged():
    assert format_value("80GB", "text") == "80GB"
    assert format_value("NVIDIA H100", "bytes", "GiB") == "NVIDIA H100"   # a text field is never converted
