"""Results on disk: one directory per run (Parquet + manifest), written atomically."""
