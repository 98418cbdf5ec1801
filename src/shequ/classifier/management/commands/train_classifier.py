import hashlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shequ.classifier.model import MODEL_PATH
from shequ.classifier.training import DEFAULT_DATA_DIR, TrainingError, fit, load_records, training_examples


class Command(BaseCommand):
    help = (
        "Train the message classifier from the labelled messages (deterministic: same data, same bytes) "
        "and write the model file (needs scikit-learn, the dev extra)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=f"data folder (default: {DEFAULT_DATA_DIR})")
        parser.add_argument("--output", default=str(MODEL_PATH), help=f"model file (default: {MODEL_PATH})")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            examples = training_examples(load_records(options["data"]))
            model = fit(examples)
        except TrainingError as exc:
            raise CommandError(str(exc)) from exc
        data = model.to_bytes()
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        self.stdout.write(
            f"trained on {len(examples)} examples, {len(model.labels)} categories in "
            f"{time.perf_counter() - started:.1f} s; wrote {output} ({len(data) / 1e6:.2f} MB, "
            f"sha256 {hashlib.sha256(data).hexdigest()[:16]})"
        )
