from django.core.management.base import BaseCommand, CommandError

from billexplain.coding.importers import HcpcsFileError, apply_release, parse_hcpcs_file, read_source


class Command(BaseCommand):
    help = (
        "Import a CMS Alpha-Numeric HCPCS file (the release .zip, or its .xlsx or .txt) from a path or an "
        "http(s) URL. Safe to run again: codes are added, updated or marked ended, never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL", help="e.g. october-2025-alpha-numeric-hcpcs-file.zip")

    def handle(self, *args, source, **options):
        try:
            name, data = read_source(source)
            result = apply_release(parse_hcpcs_file(data, name))
        except HcpcsFileError as error:
            raise CommandError(f"{source}: {error}") from None
        self.stdout.write(str(result))
