"""The score table a command reads: from a portal counts file, or from the record store
(``chiso score``, ``what-if``, ``levers``, ``chiso export … --what scores``)."""
from __future__ import annotations

from pathlib import Path

from chiso.cli.common import definition


def score_table(window: str | None, counts: Path | None):
    """Score ``window`` from the counts file ``counts`` (its unit codes read through the crosswalk
    in force), or from the records when there is none."""
    # lazy: only the commands that score need it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.service import score_counts_file, score_records

    d = definition()
    if counts is not None:
        # lazy: only a counts file needs the crosswalk (decision 44)
        from chiso.cli.crosswalk import crosswalk_in_force

        return score_counts_file(d, str(counts), window, crosswalk=crosswalk_in_force())
    # lazy: as above
    from chiso.store.records import open_records
    from chiso.units import load_units

    with open_records(read_only=True) as store:
        return score_records(d, store, load_units(), window)
