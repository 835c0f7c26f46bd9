"""Recompute the library documents' stored search vectors with the accent-folding configurations."""

from django.db import migrations


def reindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The service computes the vector from the stored fields in one UPDATE; it reads no column this
    # migration's state lacks.
    from network.services import document_index_all

    document_index_all()


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0003_document_text_and_search_vector"),
        ("search", "0001_accent_folding_configurations"),
    ]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
