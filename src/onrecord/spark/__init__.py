"""onrecord on Apache Spark: the local runner's per-article stage in ``mapPartitions``, Parquet output,
and the cross-article steps as Spark jobs (docs/spark.md).

- :mod:`onrecord.spark.rows`: the executor side (reading bytes, ``AnalyzeStage.process``, rows); plain Python.
- :mod:`onrecord.spark.job`: the driver (inputs, batches, atomic output) and the spark-submit entry.
- :mod:`onrecord.spark.derived`: people, statements, duplicates and stories across articles, as Spark jobs.
- :mod:`onrecord.spark.load`: Parquet output into a SQLite store (``onrecord load``); pyarrow, no Spark.

Importing this package does not import pyspark.
"""
