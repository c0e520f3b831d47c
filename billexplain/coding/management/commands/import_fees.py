from django.core.management.base import BaseCommand, CommandError

from billexplain.coding.fees import apply_fees, parse_fee_file
from billexplain.coding.importers import HcpcsFileError, read_source


class Command(BaseCommand):
    help = (
        "Import the CMS Physician Fee Schedule relative value file (PPRRVU .csv, or the RVU package .zip that holds "
        "it) from a path or an http(s) URL. Safe to run again: the year's fees are made to match the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL", help="e.g. rvu25d.zip or PPRRVU2025_Oct.csv")
        parser.add_argument("--year", type=int, help="The fee schedule's year, when the file name does not say it.")

    def handle(self, *args, source, year, **options):
        try:
            name, data = read_source(source)
            result = apply_fees(parse_fee_file(data, name, year=year))
        except HcpcsFileError as error:  # FeeFileError too: read_source speaks for both imports
            raise CommandError(f"{source}: {error}") from None
        self.stdout.write(str(result))
