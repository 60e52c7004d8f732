"""The command line: one module per command family, each a thin layer over a library function."""

from __future__ import annotations

import click

from onrecord import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="onrecord")
def main() -> None:
    """onrecord: who said what, in which role, and when, from news articles.

    \b
    Start with:
      onrecord analyze article.txt             one article, JSON on stdout
      onrecord ingest ~/news/ --db news.db     a corpus into a database
      onrecord people --db news.db --quotes 2  who is quoted most, saying what
      onrecord evaluate --format polnear DIR   accuracy against annotated data
    """


def _register() -> None:
    from onrecord.cli import analyze as analyze_cli
    from onrecord.cli import bench as bench_cli
    from onrecord.cli import correct as correct_cli
    from onrecord.cli import evaluate as evaluate_cli
    from onrecord.cli import ingest as ingest_cli
    from onrecord.cli import query as query_cli
    from onrecord.cli import serve as serve_cli
    from onrecord.cli import spark as spark_cli

    main.add_command(analyze_cli.analyze)
    main.add_command(ingest_cli.ingest)
    for command in (*query_cli.COMMANDS, *correct_cli.COMMANDS):
        main.add_command(command)
    main.add_command(evaluate_cli.evaluate)
    main.add_command(serve_cli.serve)
    main.add_command(bench_cli.bench)
    main.add_command(spark_cli.spark)
    main.add_command(spark_cli.load)


_register()
