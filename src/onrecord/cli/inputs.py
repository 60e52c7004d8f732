"""What `analyze` and `ingest` read: the INPUT arguments, the bundled sample, or stdin."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from onrecord.ingest import read_inputs, read_sample
from onrecord.ingest.readers import Item


def input_items(inputs: tuple[str, ...], *, sample: bool, max_chars: int) -> Iterator[Item]:
    """Articles (or InputErrors) from the sample first, then the inputs; with neither, stdin when it
    is piped, else a usage error. Checked at once; items come as the caller iterates."""
    if not inputs and not sample:
        if sys.stdin.isatty():
            raise click.UsageError(
                "name at least one INPUT (a file, a folder, or - for stdin), or use --sample"
            )
        inputs = ("-",)
    return _chain(inputs, sample, max_chars)


def _chain(inputs: tuple[str, ...], sample: bool, max_chars: int) -> Iterator[Item]:
    if sample:
        yield from read_sample()
    yield from read_inputs(inputs, max_chars=max_chars)
