"""What OpenLineage costs per task on the data `make run` left (the demo hub): each stage's lineage computed, then
redacted and serialised as the provider's listener does before it emits. `make bench-lineage`."""

from __future__ import annotations

import sys
import time
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, datetime

from airflow.providers.openlineage.utils.utils import OpenLineageRedactor
from airflow.sdk.execution_time.secrets_masker import _secrets_masker
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
from openlineage.client.serde import Serde
from sqlalchemy import select

from include.kopdes_hub.config import get_settings
from include.kopdes_hub.lineage import stages
from include.kopdes_hub.storage import gold, schemas, store


def main() -> int:
    warnings.simplefilter("ignore")  # the masker's import path is deprecated; it is the one the provider uses
    settings = get_settings()
    store.migrate(settings.db_url)
    with store.get_engine(settings.db_url).connect() as conn:
        paths = conn.execute(select(store.SubmissionFile.path)).scalars().all()
        decided = select(store.Submission.submission_id).where(store.Submission.decision.is_not(None))
        ids = conn.execute(decided).scalars().all()
    months = gold.published_months(settings.lake, schemas.REPORTING_COMPLIANCE)
    if not ids or not months:
        print("nothing validated and published yet: run `make run` first", file=sys.stderr)
        return 1
    redactor = OpenLineageRedactor.from_masker(_secrets_masker())
    cases: list[tuple[str, Callable[[], stages.Lineage]]] = [
        (f"ingest batch ({len(paths)} files)", lambda: stages.ingest(settings, paths)),
        (f"validate batch ({len(ids)} submissions)", lambda: stages.validate(settings, ids)),
        (f"rebuild {months[-1]}", lambda: stages.rebuild(settings, months[-1])),
        (f"publish {months[-1]}", lambda: stages.publish(settings, months[-1])),
    ]
    print(f"{'task':34} {'in the task':>11} {'redact':>7} {'serialise':>9} {'event':>8}  datasets")
    for name, build in cases:
        start = time.perf_counter()
        lineage = build()
        computed = time.perf_counter()
        event = RunEvent(eventType=RunState.COMPLETE, eventTime=datetime.now(UTC).isoformat(),
                         run=Run(runId=str(uuid.uuid4())), job=Job(namespace="kopdes_hub", name=name),
                         producer="bench", inputs=lineage.inputs, outputs=lineage.outputs)  # fmt: skip
        redactor.redact(event, max_depth=20)
        redacted = time.perf_counter()
        size = len(Serde.to_json(event))
        done = time.perf_counter()
        print(
            f"{name:34} {computed - start:9.2f} s {redacted - computed:5.2f} s {done - redacted:7.2f} s"
            f" {size / 1e6:5.2f} MB  {len(lineage.inputs)} in, {len(lineage.outputs)} out"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
