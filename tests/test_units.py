"""Quantities with units as data/ writes them (scripts/handbook/units.py): parsing, conversion, dimensions."""
from __future__ import annotations

import pytest
from handbook import units
from handbook.units import UnitError, convert, dimension_of, parse_quantity


@pytest.mark.parametrize("text, dimension, expected", [
    ("80 GB", "bytes", 80e9),
    ("80 GiB", "bytes", 85_899_345_920),           # 80 x 2^30
    ("81559 MiB", "bytes", 85_520_809_984),        # 81559 x 2^20
    ("85017493504 B", "bytes", 85_017_493_504),
    ("3.35 TB/s", "bytes/s", 3.35e12),
    ("900 GB/s", "bytes/s", 900e9),
    ("400 Gb/s", "bytes/s", 50e9),                 # bits: 400e9 / 8
    ("989.5 TFLOPS", "flop/s", 989.5e12),
    ("1979 TOPS", "flop/s", 1979e12),              # integer ops counted with FLOP/s
    ("2 PFLOPs", "flop", 2e15),
    ("700 W", "watts", 700),
    ("1.2 kW", "watts", 1200),
    ("20 ms", "seconds", 0.02),
    ("2 min", "seconds", 120),
    ("1 h", "seconds", 3600),
    ("8 K tokens", "tokens", 8000),                # a unit of two words
    ("90 %", "fraction", 0.9),
    ("1e3 GB", "bytes", 1e12),                     # exponent notation
    ("-5 s", "seconds", -5),
    ("  80GB  ", "bytes", 80e9),                   # surrounding space and no space before the unit
    ("12", "count", 12),                           # no unit: a plain count
    (12, "count", 12),
    (2.5, "count", 2.5),
])
def test_parse_quantity_gives_base_units(text, dimension, expected):
    assert parse_quantity(text, dimension) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text, message", [
    ("80 gb", "unknown unit 'gb'"),                # units are case-sensitive: gb is not GB
    ("80 GBps", "unknown unit 'GBps'"),
    ("3 parsecs", "unknown unit 'parsecs'"),
])
def test_parse_quantity_refuses_unknown_units(text, message):
    with pytest.raises(UnitError, match=message):
        parse_quantity(text, "bytes")


@pytest.mark.parametrize("text, dimension, message", [
    ("80 GB", "bytes/s", "'80 GB' is in bytes, expected bytes/s"),
    ("3.35 TB/s", "bytes", "is in bytes/s, expected bytes"),
    ("989.5 TFLOPS", "flop", "is in flop/s, expected flop"),   # a rate is not a count of operations
    ("700 W", "bytes", "is in watts, expected bytes"),
    ("80", "bytes", "is in count, expected bytes"),            # a bare number has no unit of size
])
def test_parse_quantity_refuses_the_wrong_dimension(text, dimension, message):
    with pytest.raises(UnitError, match=message):
        parse_quantity(text, dimension)


@pytest.mark.parametrize("value", [True, None, [80, "GB"], {"value": 80}])
def test_parse_quantity_refuses_values_that_are_not_quantities(value):
    with pytest.raises(UnitError, match="expected a quantity like '80 GB'"):
        parse_quantity(value, "bytes")


@pytest.mark.parametrize("text", ["GB", "", "eighty GB", "80,000 MB"])
def test_parse_quantity_refuses_text_without_a_number(text):
    with pytest.raises(UnitError):
        parse_quantity(text, "bytes")


def test_unit_error_is_a_value_error():
    # Callers (placeholders, data loading) catch ValueError for everything a contributor can get wrong.
    assert issubclass(UnitError, ValueError)


@pytest.mark.parametrize("value, unit, expected", [
    (2**30, "GiB", 1),
    (85_899_345_920, "GiB", 80),
    (85_899_345_920, "GB", 85.89934592),
    (131_072, "KiB", 128),
    (3.35e12, "TB/s", 3.35),
    (3.35e12, "GB/s", 3350),
    (50e9, "Gb/s", 400),
    (989.5e12, "TFLOPS", 989.5),
    (0.02, "ms", 20),
    (1.5e-6, "us", 1.5),
    (7200, "h", 2),
    (0.9, "%", 90),
    (42, "", 42),
])
def test_convert_from_base_units(value, unit, expected):
    assert convert(value, unit) == pytest.approx(expected, rel=1e-12)


def test_convert_and_parse_are_inverse():
    for text, unit in (("3.35 TB/s", "TB/s"), ("80 GiB", "GiB"), ("12.5 ms", "ms"), ("989.5 TFLOPS", "TFLOPS")):
        number = float(text.split()[0])
        assert convert(parse_quantity(text, dimension_of(unit)), unit) == pytest.approx(number, rel=1e-12)


def test_convert_refuses_an_unknown_unit_and_lists_the_known_ones():
    with pytest.raises(UnitError, match="unknown unit 'Gib'") as caught:
        convert(1.0, "Gib")
    assert "GiB" in str(caught.value) and "TB/s" in str(caught.value)


@pytest.mark.parametrize("unit, dimension", [
    ("B", "bytes"), ("GiB", "bytes"), ("TB", "bytes"),
    ("GB/s", "bytes/s"), ("Tb/s", "bytes/s"),
    ("TFLOPS", "flop/s"), ("TOPS", "flop/s"), ("GFLOPs", "flop"),
    ("us", "seconds"), ("µs", "seconds"), ("min", "seconds"),
    ("tokens/s", "tokens/s"), ("requests/s", "requests/s"), ("M tokens", "tokens"),
    ("FLOP/B", "flop/byte"), ("USD", "usd"), ("%", "fraction"), ("x", "ratio"), ("", "count"), ("kW", "watts"),
])
def test_dimension_of(unit, dimension):
    assert dimension_of(unit) == dimension


def test_dimension_of_refuses_an_unknown_unit_with_the_known_ones():
    # A KeyError here once reached a page's build error as the bare word "bogus".
    with pytest.raises(UnitError, match="unknown unit 'bogus'; known: .*GiB"):
        dimension_of("bogus")


def test_binary_and_decimal_prefixes_are_distinct():
    assert units.UNITS["GiB"][1] == 2**30 and units.UNITS["GB"][1] == 10**9
    assert units.UNITS["KiB"][1] == 1024 and units.UNITS["KB"][1] == 1000
    assert units.UNITS["TiB"][1] == 2**40 and units.UNITS["TB"][1] == 10**12
