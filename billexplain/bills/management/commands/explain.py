import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billexplain.bills.explain import BillError, explain_file
from billexplain.bills.explain import as_json as to_json


class Command(BaseCommand):
    help = "Explain the codes on bill files (.pdf or .txt). With --json, print one JSON object per file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print JSON Lines (one object per file)"
        )

    def handle(self, *args, files, as_json=False, **options):
        failed = 0
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from None
            try:
                result = to_json(explain_file(path.name, data), path.name)
            except BillError as error:
                failed += 1
                result = {
                    "file": path.name,
                    "source": None,
                    "codes": [],
                    "line_items": [],
                    "diagnosis_codes": [],
                    "warnings": [{"message": str(error)}],
                    "error": str(error),
                }
            self.stdout.write(_dumps(result) if as_json else _human(result))
        if failed and failed == len(files):
            raise CommandError("No file could be read.")


def _dumps(result):
    return json.dumps(result, ensure_ascii=False)


def _human(result):
    lines = [f"{result['file']}: {len(result['codes'])} codes"]
    for code in result["codes"]:
        lines.append(f"  {code['code']:6} {code['category']}: {code['explanation'][:90]}")
    lines.extend(f"  ! {w['message']}" for w in result["warnings"])
    return "\n".join(lines)
