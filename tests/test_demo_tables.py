"""`ta_portal.demo.row_fields`: a row of a demo table read as keyword arguments by its column names."""

import pytest

from ta_portal.demo import row_fields


def test_a_row_becomes_its_fields_in_column_order():
    assert row_fields("country_id title phase", ("PE", "Peru", "planning")) == {
        "country_id": "PE",
        "title": "Peru",
        "phase": "planning",
    }


def test_a_row_with_a_value_missing_or_too_many_is_refused():
    with pytest.raises(ValueError):
        row_fields("country_id title phase", ("PE", "Peru"))
    with pytest.raises(ValueError):
        row_fields("country_id title", ("PE", "Peru", "planning"))
