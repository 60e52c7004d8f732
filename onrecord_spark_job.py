"""spark-submit entry of onrecord's Spark job (docs/spark.md):

    spark-submit --master spark://host:7077 --archives onrecord-env.tar.gz#env ... \
        onrecord_spark_job.py --input 's3a://bucket/CC-NEWS-*.warc.gz' --output s3a://bucket/out/

The job itself is onrecord.spark.job (also ``python -m onrecord.spark.job``); onrecord must be
importable on the driver and the executors.
"""

import sys

from onrecord.spark.job import main

if __name__ == "__main__":
    sys.exit(main())
