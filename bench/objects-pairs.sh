#!/usr/bin/env bash
# Interleaved runs of `psql \copy` (the CSV of the rows), bench/objects-load.ts with this tree and
# with another tree (`git archive COMMIT | tar -x -C DIR`, node_modules linked), 1M JS objects of
# the guide's users into a fresh table each time; run 0 is the warm-up. Issue 18's binary COPY pair.
#   SLUICE_BENCH_PG_URL=postgres://…/sluice_bench_x bash bench/objects-pairs.sh /tmp/sluice-text [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
other=$1
runs=${2:-3}
U=$SLUICE_BENCH_PG_URL
csv=bench/data/users-v1-1000000.csv
reset() {
  psql "$U" -q -c "DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS roles;
    CREATE TABLE roles (id serial PRIMARY KEY, name varchar(50) UNIQUE NOT NULL);
    INSERT INTO roles (id, name) VALUES (1,'admin'),(2,'editor'),(3,'author'),(4,'viewer'),(5,'guest');
    CREATE TABLE users (id serial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255),
      created_at timestamp, role_id int REFERENCES roles (id)); CHECKPOINT" 2>/dev/null
}
for i in $(seq 0 "$runs"); do
  reset
  s=$(date +%s.%N)
  psql "$U" -q -c "\\copy users(username,email,created_at,role_id) from '$csv' with (format csv, header true)"
  p=$(echo "$(date +%s.%N) - $s" | bc)
  this=$(node --import tsx bench/objects-load.ts --rows 1000000)
  that=$(node --import tsx bench/objects-load.ts --rows 1000000 --tree "$other")
  echo "run $i: psql $p this-tree $this other-tree $that"
done
