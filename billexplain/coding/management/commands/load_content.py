from django.core.management import call_command
from django.core.management.base import BaseCommand

from billexplain.coding.content import fixture_paths, load_missing


class Command(BaseCommand):
    help = "Load the shipped sections, notes, FAQ and modifiers. Rows staff edited are kept unless --replace."

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true", help="overwrite rows with the shipped fixtures")

    def handle(self, *args, replace=False, **options):
        paths = fixture_paths()
        if replace:
            call_command("loaddata", *map(str, paths), verbosity=0)
            self.stdout.write(f"Content replaced from {len(paths)} fixtures.")
            return
        added, kept = load_missing(paths)
        self.stdout.write(f"Content: {added} rows added, {kept} already there (kept as they are).")
