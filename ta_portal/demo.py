"""What the apps' demo data (each app's ``demo.py``, run by ``manage.py seed_demo``) share."""


def row_fields(columns: str, row: tuple) -> dict:
    """One row of a demo table as keyword arguments: ``columns`` names the row's values in order
    (model fields, mostly), so a table can fill a model without each field being typed out again."""
    return dict(zip(columns.split(), row, strict=True))
