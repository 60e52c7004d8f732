"""Files through Hadoop's FileSystem API (via the SparkSession's JVM), so that every path Spark reads
(``file:``, ``hdfs://``, ``s3a://``, ``gs://``, ``abfss://`` ...) is listed, renamed and written the same way.

Only the driver uses this: listing the inputs, the batch markers, and swapping finished output into
place. Everything big moves through Spark itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: its URI as Spark reads it, the name the user knows it by, and its fingerprint."""

    uri: str
    name: str
    size: int
    modified: int


class HadoopFiles:
    """A thin wrapper over ``org.apache.hadoop.fs.FileSystem`` for one SparkSession."""

    def __init__(self, spark: Any) -> None:
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, name: str) -> tuple[Any, Any]:
        path = self._jvm.org.apache.hadoop.fs.Path(name)
        return path, path.getFileSystem(self._conf)

    def qualify(self, name: str) -> str:
        """The fully qualified URI of a path (``out`` -> ``file:/home/me/out``)."""
        path, fs = self._path(name)
        return str(fs.makeQualified(path).toString())

    def exists(self, name: str) -> bool:
        path, fs = self._path(name)
        return bool(fs.exists(path))

    def glob(self, pattern: str) -> list[tuple[str, bool, int, int]] | None:
        """(uri, is_dir, size, modified) of each match; None when nothing matches."""
        path, fs = self._path(pattern)
        statuses = fs.globStatus(path)
        if statuses is None or len(statuses) == 0:
            return None
        return [
            (
                str(s.getPath().toString()),
                bool(s.isDirectory()),
                int(s.getLen()),
                int(s.getModificationTime()),
            )
            for s in statuses
        ]

    def files_under(self, folder: str) -> Iterator[tuple[str, int, int]]:
        """(uri, size, modified) of every file below ``folder``, recursively."""
        path, fs = self._path(folder)
        found = fs.listFiles(path, True)
        while found.hasNext():
            status = found.next()
            yield str(status.getPath().toString()), int(status.getLen()), int(status.getModificationTime())

    def children(self, folder: str) -> list[str]:
        """The names (not paths) of the entries of ``folder``; empty if it does not exist."""
        path, fs = self._path(folder)
        if not fs.exists(path):
            return []
        return [str(s.getPath().getName()) for s in fs.listStatus(path)]

    def delete(self, name: str) -> None:
        path, fs = self._path(name)
        if fs.exists(path):
            fs.delete(path, True)

    def rename(self, source: str, target: str) -> None:
        """Move ``source`` to ``target`` (its parent created first); fails loudly if the move fails."""
        src, fs = self._path(source)
        dst, _ = self._path(target)
        fs.mkdirs(dst.getParent())
        if not fs.rename(src, dst):
            raise OSError(f"cannot move {source} to {target}")

    def write_text(self, name: str, text: str) -> None:
        """Write a small file atomically: a hidden temporary file next to it, then a rename."""
        path, fs = self._path(name)
        temp = self._jvm.org.apache.hadoop.fs.Path(path.getParent(), "." + path.getName() + ".tmp")
        stream = fs.create(temp, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        if fs.exists(path):
            fs.delete(path, False)
        if not fs.rename(temp, path):
            raise OSError(f"cannot write {name}")

    def read_text(self, name: str) -> str:
        path, fs = self._path(name)
        stream = fs.open(path)
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()


def has_scheme(name: str) -> bool:
    """``s3a://b/x`` and ``file:/x`` have one; ``data/x`` and ``/data/x`` (and ``C:\\x``) do not."""
    scheme = urlparse(name).scheme
    return len(scheme) > 1


def display_name(uri: str, given: str) -> str:
    """The name a file is known by in rows and messages: a local path as ``onrecord ingest`` names it
    (relative when the user gave a relative path), else the full URI."""
    if has_scheme(given) and not given.startswith("file:"):
        return uri
    local = urlparse(uri).path
    return local if os.path.isabs(given) or given.startswith("file:") else os.path.relpath(local)
