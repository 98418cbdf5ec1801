"""Background tasks of the spreadsheet import: validate (stage) an upload, apply a confirmed batch.

The recovery of batches left by a dead worker runs every minute from `registry/tasks.py`.

Both only look the batch up by id and hand over to `imports`; every rule lives there. Register this
module with the consumer by importing it from `registry/tasks.py` (djhuey autodiscovers `tasks` only).
"""

from huey.contrib.djhuey import db_task


@db_task()
def validate_import_batch(batch_id: int) -> None:
    from .imports import validate_batch

    validate_batch(batch_id)


@db_task()
def apply_import_batch(batch_id: int, actor_id: int | None = None, attempt: int | None = None) -> None:
    from .imports import apply_batch

    apply_batch(batch_id, actor_id=actor_id, attempt=attempt)
