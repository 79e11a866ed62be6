// bench/duckdb-parquet.mjs — the DuckDB baseline of bench/import.sh:
// read_csv of the generated CSV written to Parquet (zstd), timed in-process
// (so Node's and the module's start-up do not count against DuckDB).
//
// Usage: node bench/duckdb-parquet.mjs IN.csv OUT.parquet
// Prints one JSON object: {"seconds": …, "rows": …, "version": "…"}.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import duckdb, { DuckDBInstance } from '@duckdb/node-api';

const [csv, parquet] = process.argv.slice(2);
if (!csv || !parquet) {
  console.error('usage: node duckdb-parquet.mjs IN.csv OUT.parquet');
  process.exit(2);
}

const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();

const start = performance.now();
await connection.run(
  `COPY (SELECT * FROM read_csv(${quote(csv)}, header = true)) ` +
  `TO ${quote(parquet)} (FORMAT parquet, COMPRESSION zstd)`);
const seconds = (performance.now() - start) / 1000;

const reader = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${quote(parquet)})`);
const rows = Number(reader.getRows()[0][0]);

console.log(JSON.stringify({ seconds, rows, version: duckdb.version() }));
connection.closeSync();
instance.closeSync();
