"""Read the text of the library's files for search: documents uploaded before search read them, or
all of them again (``--again``, e.g. once pdftotext is installed where it was missing)."""

from django.core.management.base import BaseCommand

from network.services import documents_read_text


class Command(BaseCommand):
    help = "Read the text of library documents' files so that search finds their contents."

    def add_arguments(self, parser):
        parser.add_argument("--again", action="store_true", help="Read every document's file again.")

    def handle(self, *args, again: bool = False, **options):
        read = documents_read_text(again=again)
        self.stdout.write(f"{read} document text(s) read.")
