from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shequ.classifier.csvfiles import CsvInputError, classify_csv


class Command(BaseCommand):
    help = (
        "Append the predicted first-level category and its confidence to every row of a CSV file "
        "(written to standard output; empty texts are named on standard error)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV file with a header row")
        parser.add_argument("--text-column", default="text", help="column holding the message text (default: text)")
        parser.add_argument("--encoding", default="utf-8", help="file encoding, e.g. gbk (default: UTF-8, BOM allowed)")

    def handle(self, *args, **options) -> None:
        def on_empty(row: int) -> None:
            self.stderr.write(_("第 %(row)s 行（表头之后）：文本为空，未分类。") % {"row": row})

        try:
            summary = classify_csv(
                options["file"],
                self.stdout,  # each chunk written ends with a newline, so the wrapper adds none
                text_column=options["text_column"],
                encoding=options["encoding"],
                on_empty=on_empty,
            )
        except CsvInputError as exc:
            raise CommandError(str(exc)) from exc
        if summary.empty_rows:
            self.stderr.write(
                _("共 %(rows)s 行，%(empty)s 行文本为空未分类。")
                % {"rows": summary.rows, "empty": len(summary.empty_rows)}
            )
