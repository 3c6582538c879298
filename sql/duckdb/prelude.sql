-- DuckDB prelude: run before any file of sql/ so that the BigQuery SQL there runs unchanged on
-- DuckDB. Each definition bridges one BigQuery type or function DuckDB lacks, with BigQuery's
-- semantics (cloud.google.com/bigquery/docs/reference/standard-sql/functions-and-operators).
-- Stored in the database (not TEMP) so the staging views work from any connection to the file.

-- BigQuery's name for a double-precision float.
CREATE OR REPLACE TYPE FLOAT64 AS DOUBLE;

-- SAFE_DIVIDE(x, 0) is NULL instead of an error; DuckDB's `/` is already float division.
CREATE OR REPLACE MACRO safe_divide(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a / b END;

-- JSON_VALUE_ARRAY(json) turns a JSON array of scalars into ARRAY<STRING>; NULL stays NULL.
CREATE OR REPLACE MACRO json_value_array(j) AS CAST(json_extract_string(j, '$[*]') AS VARCHAR[]);
