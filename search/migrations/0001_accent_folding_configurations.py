"""Text-search configurations that fold accents (PostgreSQL only): "coordinacion" finds
"coordinación", "securite" finds "sécurité", as people type them on any keyboard.

Each of the portal's configurations (ta_portal/fulltext.py) is a copy of PostgreSQL's built-in one
with the ``unaccent`` dictionary before its stemmer, as PostgreSQL's documentation of ``unaccent``
shows. ``unaccent`` ships with PostgreSQL and is a trusted extension (13 and later): the database's
owner may create it without being a superuser.
"""

from django.db import migrations

# portal configuration → (built-in configuration it copies, dictionary after unaccent)
CONFIGURATIONS = {
    "portal_simple": ("simple", "simple"),
    "portal_english": ("english", "english_stem"),
    "portal_spanish": ("spanish", "spanish_stem"),
    "portal_portuguese": ("portuguese", "portuguese_stem"),
    "portal_french": ("french", "french_stem"),
}
# The token types of words with letters outside ASCII (accented ones); ASCII words need no folding.
ACCENTED_TOKENS = "hword, hword_part, word"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, (copied, dictionary) in CONFIGURATIONS.items():
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{copied})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR {ACCENTED_TOKENS} WITH unaccent, {dictionary}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create, drop, elidable=False)]
