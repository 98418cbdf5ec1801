"""Benchmark: classifying messages with the committed model against merely reading and tokenising them.

Run: `python bench/bench_classifier.py [--data DIR] [--repeat 8]`. Texts are the unlabelled real messages of
`../shared/data/messages/messages_unlabelled.csv` (title + details, and titles alone), repeated to make a
larger batch. One thread (BLAS pinned to one core). Times

  (a) read: parse the CSV and build the texts;
  (b) tokenise: the same texts into hashed character n-gram counts (the model's feature step);
  (c) predict_many over the whole batch (chunks of 2,000, as `shequ classify` does);
  (d) predict, one message at a time (median and 95th percentile latency).

Prints a table with messages per second and the ratio to (a) and (b); nothing is asserted.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shequ.classifier import predict, predict_many  # noqa: E402
from shequ.classifier.csvfiles import CHUNK_SIZE  # noqa: E402
from shequ.classifier.features import term_counts  # noqa: E402
from shequ.classifier.model import MODEL_PATH, get_model  # noqa: E402
from shequ.classifier.training import DEFAULT_DATA_DIR, full_text  # noqa: E402


def read(path: Path, repeat: int) -> tuple[list[str], list[str]]:
    full, titles = [], []
    for _ in range(repeat):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                full.append(full_text(row["留言主题"].strip(), row["留言详情"].strip()))
                titles.append(row["留言主题"].strip())
    return full, titles


def chunks(texts: list[str]):
    for i in range(0, len(texts), CHUNK_SIZE):
        yield texts[i : i + CHUNK_SIZE]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--single", type=int, default=1000, help="messages classified one at a time")
    args = parser.parse_args()
    path = Path(args.data) / "messages_unlabelled.csv"
    if not path.exists():
        sys.exit(f"{path} not found (set --data)")

    t = time.perf_counter()
    model = get_model()
    load = time.perf_counter() - t

    t = time.perf_counter()
    full, titles = read(path, args.repeat)
    read_time = (time.perf_counter() - t) / 2  # the CSV gives both sets at once: half each

    print(f"model {MODEL_PATH.name}: {MODEL_PATH.stat().st_size / 1e6:.2f} MB, loaded in {load * 1000:.0f} ms")
    print(f"{len(full)} messages (mean {sum(map(len, full)) / len(full):.0f} characters), one thread\n")
    header = f"{'texts':<15}{'step':<26}{'seconds':>9}{'msgs/s':>11}{'x read':>9}{'x tokenise':>12}"
    print(header)
    print("-" * len(header))
    for name, texts in (("full messages", full), ("titles", titles)):
        t = time.perf_counter()
        for chunk in chunks(texts):
            term_counts(chunk, max_order=model.max_order, bits=model.bits)
        tokenise = time.perf_counter() - t
        t = time.perf_counter()
        for chunk in chunks(texts):
            predict_many(chunk)
        batch = time.perf_counter() - t
        for step, seconds in (("read CSV", read_time), ("tokenise (n-gram hash)", tokenise), ("predict_many", batch)):
            print(
                f"{name:<15}{step:<26}{seconds:>9.3f}{len(texts) / seconds:>11,.0f}"
                f"{seconds / read_time:>9.2f}{seconds / tokenise:>12.2f}"
            )
        latencies = []
        for text in texts[: args.single]:
            t = time.perf_counter()
            predict(text)
            latencies.append(time.perf_counter() - t)
        latencies.sort()
        p50, p95 = statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"{name:<15}{'predict, one at a time':<26}  median {p50 * 1000:.2f} ms, "
            f"p95 {p95 * 1000:.2f} ms, max {latencies[-1] * 1000:.2f} ms"
        )
    print()


if __name__ == "__main__":
    main()
