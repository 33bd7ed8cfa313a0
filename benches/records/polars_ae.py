"""The A&E aggregation in Python polars (streaming engine): the same checks and groups as
`league aggregate`.

Usage: polars_ae.py RECORDS_DIR OUT_CSV BOUNDS_CSV
"""
import sys

import polars as pl

root, out, bounds = sys.argv[1:4]
b = pl.read_csv(bounds, schema={"month": pl.String, "m0": pl.Int64, "m1": pl.Int64})
lf = pl.scan_parquet(
    f"{root}/ae/**/*.parquet",
    hive_partitioning=True,
    hive_schema={"month": pl.String},
)
arr = pl.col("arrival_ts").dt.epoch("us")
dep = pl.col("departure_ts").dt.epoch("us")
kind = pl.col("department_type").cast(pl.Int32)
reason = (
    pl.when(
        pl.any_horizontal(
            pl.col(c).is_null()
            for c in ["org_code", "arrival_ts", "departure_ts", "department_type"]
        )
    )
    .then(1)
    .when((kind < 1) | (kind > 4))
    .then(2)
    .when((arr < pl.col("m0")) | (arr >= pl.col("m1")))
    .then(3)
    .when(dep < arr)
    .then(4)
    .otherwise(0)
)
dur = dep - arr
(
    lf.join(b.lazy(), on="month")
    .select(
        pl.col("month"),
        pl.col("org_code"),
        reason.alias("reason"),
        kind.alias("kind"),
        (dur <= 14_400_000_000).alias("a"),
        (dur > 43_200_000_000).alias("b"),
    )
    .group_by("month", "org_code", "reason", "kind")
    .agg(pl.len().alias("n"), pl.col("a").sum(), pl.col("b").sum())
    .collect(engine="streaming")
    .write_csv(out)
)
