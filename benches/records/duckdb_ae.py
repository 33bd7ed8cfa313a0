"""The A&E aggregation in DuckDB: the same checks and groups as `league aggregate`.

Usage: duckdb_ae.py RECORDS_DIR OUT_CSV BOUNDS_CSV
BOUNDS_CSV: month,m0,m1 (London civil month bounds in UTC microseconds).
"""
import sys

import duckdb

root, out, bounds = sys.argv[1:4]
con = duckdb.connect()
con.execute(
    f"CREATE TABLE b AS SELECT * FROM read_csv('{bounds}', columns = "
    "{'month': 'VARCHAR', 'm0': 'BIGINT', 'm1': 'BIGINT'}, header = true)"
)
con.execute(
    f"""
COPY (
  WITH r AS (
    SELECT p.month, p.org_code, p.department_type::INTEGER AS kind,
           epoch_us(p.arrival_ts) AS arr, epoch_us(p.departure_ts) AS dep, b.m0, b.m1
    FROM read_parquet('{root}/ae/*/*.parquet', hive_partitioning = true,
                      hive_types = {{'month': VARCHAR}}) p
    JOIN b USING (month)
  )
  SELECT month, org_code,
         CASE WHEN org_code IS NULL OR arr IS NULL OR dep IS NULL OR kind IS NULL THEN 1
              WHEN kind < 1 OR kind > 4 THEN 2
              WHEN arr < m0 OR arr >= m1 THEN 3
              WHEN dep < arr THEN 4
              ELSE 0 END AS reason,
         kind,
         count(*) AS n,
         count(*) FILTER (WHERE dep - arr <= 14400000000) AS a,
         count(*) FILTER (WHERE dep - arr > 43200000000) AS b
  FROM r
  GROUP BY ALL
) TO '{out}' (HEADER)
"""
)
