"""Many articles in one run: inputs, record file, resume, shards, runner and progress.

The machinery behind `summarizer batch`, driven by an async brief function so it does
not depend on how briefs are made:

    items = collect(["examples/"], shard=parse_shard("1/2"))  # InputError: exit 2
    records, prior = open_records("out.jsonl", resume=True)
    with records:
        summary = await run_batch(items, brief, records, prior=prior, jobs=4)
    sys.exit(summary.exit_code)

`brief` is any `async (text) -> Result`; `summarizer._cache.cached` puts the brief
cache in front of one.
"""

from summarizer._batch._inputs import Item, Shard, collect, load_text, parse_shard
from summarizer._batch._outdir import check_out_dir, file_name, write_brief
from summarizer._batch._progress import LineReporter, TerminalReporter, reporter_for
from summarizer._batch._records import ErrorInfo, Prior, Record, RecordFile, open_records
from summarizer._batch._run import EXIT_INTERRUPTED, BriefFn, Outcome, Reporter, Summary, run_batch

__all__ = [
    "EXIT_INTERRUPTED",
    "BriefFn",
    "ErrorInfo",
    "Item",
    "LineReporter",
    "Outcome",
    "Prior",
    "Record",
    "RecordFile",
    "Reporter",
    "Shard",
    "Summary",
    "TerminalReporter",
    "check_out_dir",
    "collect",
    "file_name",
    "load_text",
    "open_records",
    "parse_shard",
    "reporter_for",
    "run_batch",
    "write_brief",
]
