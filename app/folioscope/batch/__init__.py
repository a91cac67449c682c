"""A corpus too large for one machine: read it on a Ray cluster into Parquet shards
(`run.batch_ingest`), then load the shards into a library (`shards.import_shards`).

Every document goes through the same `pipeline.prepare` as `folioscope ingest`; a shard row
holds its result and the original bytes (`records`), keyed by sha256 so reruns skip what
is done. Ray and pyarrow are an optional extra: pip install 'folioscope[ray]'.
"""
