// bench/duckdb-profile.mjs — the DuckDB baseline of bench/profile.sh: per
// channel min, max, mean, sample standard deviation and exact quantiles
// (quantile_cont: numpy's linear interpolation) of the generated CSV's six
// channels, timed in-process (Node's and the module's start-up do not
// count against DuckDB), twice:
//   csv:   read_csv and the statistics in one query (parsing included);
//   table: the statistics over a table already loaded into memory.
//
// Usage: node bench/duckdb-profile.mjs IN.csv
// Prints one JSON object: {"csv_seconds", "table_seconds", "load_seconds",
// "rows", "version", "channels": {"acc_x": {"min", "max", "mean", "std",
// "p1", …, "p99"}, …}}.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import duckdb, { DuckDBInstance } from '@duckdb/node-api';

const [csv] = process.argv.slice(2);
if (!csv) {
  console.error('usage: node duckdb-profile.mjs IN.csv');
  process.exit(2);
}

const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const ident = (s) => `"${s.replaceAll('"', '""')}"`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();

// The channel columns: every column but the first (time).
const described = await connection.runAndReadAll(
  `DESCRIBE SELECT * FROM read_csv(${quote(csv)}, header = true)`);
const columns = described.getRows().map((r) => r[0]).slice(1);
const points = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
const aggregates = columns.map((c) =>
  `min(${ident(c)}), max(${ident(c)}), avg(${ident(c)}), stddev_samp(${ident(c)}), ` +
  `quantile_cont(${ident(c)}, [${points.join(', ')}])`).join(', ');

const collect = (row) => {
  const out = {};
  columns.forEach((c, i) => {
    const name = c.replace(/ \(.*\)$/, '');
    const q = row[5 * i + 4];
    const list = q.items ?? q;
    out[name] = { min: Number(row[5 * i]), max: Number(row[5 * i + 1]), mean: Number(row[5 * i + 2]),
                  std: Number(row[5 * i + 3]) };
    points.forEach((p, k) => { out[name][`p${Math.round(p * 100)}`] = Number(list[k]); });
  });
  return out;
};

let start = performance.now();
const fromCsv = await connection.runAndReadAll(
  `SELECT ${aggregates} FROM read_csv(${quote(csv)}, header = true)`);
const csvSeconds = (performance.now() - start) / 1000;

start = performance.now();
await connection.run(`CREATE TABLE samples AS SELECT * FROM read_csv(${quote(csv)}, header = true)`);
const loadSeconds = (performance.now() - start) / 1000;

start = performance.now();
const fromTable = await connection.runAndReadAll(`SELECT ${aggregates}, count(*) FROM samples`);
const tableSeconds = (performance.now() - start) / 1000;

const row = fromTable.getRows()[0];
const result = {
  csv_seconds: csvSeconds,
  load_seconds: loadSeconds,
  table_seconds: tableSeconds,
  rows: Number(row[row.length - 1]),
  version: duckdb.version(),
  channels: collect(row),
  csv_channels: collect(fromCsv.getRows()[0]),
};
console.log(JSON.stringify(result));
connection.closeSync();
instance.closeSync();
