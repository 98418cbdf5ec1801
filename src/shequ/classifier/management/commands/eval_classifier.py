from django.core.management.base import BaseCommand, CommandError

from shequ.classifier.csvfiles import CsvInputError, evaluate_csv


def _pad(text: str, width: int) -> str:
    """Left-align text in a terminal column, counting a Chinese character as two columns."""
    return text + " " * max(0, width - sum(2 if ord(ch) > 0x2E7F else 1 for ch in text))


class Command(BaseCommand):
    help = "Classify a labelled CSV file and print accuracy, macro-F1 and precision/recall/F1 per category."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV file with a header row")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--encoding", default="utf-8", help="file encoding, e.g. gbk (default: UTF-8, BOM allowed)")

    def handle(self, *args, **options) -> None:
        try:
            result = evaluate_csv(
                options["file"],
                text_column=options["text_column"],
                label_column=options["label_column"],
                encoding=options["encoding"],
            )
        except CsvInputError as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout.write
        out(f"rows evaluated: {result.rows} (skipped without text or label: {result.skipped})")
        out(f"accuracy: {result.accuracy:.4f}")
        out(f"macro-F1: {result.macro_f1:.4f}")
        out("")
        out(f"{'category':<16}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
        for c in result.classes:
            out(f"{_pad(c.label, 16)}{c.precision:>10.4f}{c.recall:>10.4f}{c.f1:>10.4f}{c.support:>10}")
