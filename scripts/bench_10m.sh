#!/usr/bin/env bash
# The ten-million-dossier measurement of issue #6 (docs/benchmarks.md, "Ten million dossiers"):
# a national trial run on SQLite until it has made TARGET dossiers, the dashboard bench on it,
# a copy into PostgreSQL and the same bench there.
#
# The copy goes partly through a tablespace in memory (/dev/shm) because a 2-core machine with
# about 80 GB of free disk cannot hold the SQLite file (~36 GB) and its PostgreSQL copy (~42 GB)
# at once: the event indexes, the day heads and the statistics are written there, the SQLite
# file is deleted once the copy is committed, and those relations are moved back to disk before
# PostgreSQL is measured. Needs root (for the tablespace's directory) and ~15 GB of free memory.
#
#   cargo build --release -p haicap && scripts/bench_10m.sh [DIR] [TARGET] [DATABASE]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/big}
target=${2:-10000000}
db=${3:-haicap_10m}
h=$PWD/target/release/haicap
pg=postgres://postgres@127.0.0.1:5432/$db
mem=/dev/shm/$db
psql=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt)
say() { echo "$(date +%T) $*" >&2; }

# Relations written in memory during the copy: about 30 % of the database.
move() { # DB TABLESPACE
  local t i
  for t in day_heads stats_daily; do
    "${psql[@]}" -d "$1" -c "ALTER TABLE $t SET TABLESPACE $2"
    for i in $("${psql[@]}" -d "$1" -c "SELECT indexname FROM pg_indexes WHERE tablename = '$t'"); do
      "${psql[@]}" -d "$1" -c "ALTER INDEX $i SET TABLESPACE $2"
    done
  done
  for i in events_pkey events_at; do "${psql[@]}" -d "$1" -c "ALTER INDEX $i SET TABLESPACE $2"; done
}

mkdir -p "$dir"
say "trial until $target dossiers"
/usr/bin/time -f "%e s %M KB %P" "$h" simulate --db "sqlite://$dir/h.db" --data-dir "$dir" \
  --province all --days 138 >"$dir/simulate.out" 2>"$dir/simulate.log" &
timer=$!
while sleep 3; do
  n=$(tail -n1 "$dir/simulate.log" | sed -n 's/.*· \([0-9]*\) hồ sơ ·.*/\1/p')
  if [ -n "$n" ] && [ "$n" -ge "$target" ]; then pkill -TERM -P "$timer" -x haicap; break; fi
  kill -0 "$timer" 2>/dev/null || break
done
wait || true
say "$(sqlite3 "$dir/h.db" 'SELECT COUNT(*) FROM dossiers') dossiers, $(du -h "$dir/h.db" | cut -f1)"

"$h" bench --db "sqlite://$dir/h.db" dashboard --province 79 --repeat 100 | tee "$dir/bench_sqlite.txt"

mkdir -p "$mem" && chown postgres: "$mem" && chmod 700 "$mem"
"${psql[@]}" -c "CREATE TABLESPACE ${db}_mem LOCATION '$mem'" -c "CREATE DATABASE $db"
sqlite3 "$dir/empty.db" "PRAGMA user_version = 0; CREATE TABLE x (a); DROP TABLE x;"
"$h" db copy --db "sqlite://$dir/empty.db" --to "$pg" >/dev/null # migrates the target
move "$db" "${db}_mem"
say "copy"
/usr/bin/time -f "%e s %M KB %P" "$h" db copy --db "sqlite://$dir/h.db" --to "$pg" >"$dir/copy.out"
rm -f "$dir/h.db" "$dir/h.db-wal" "$dir/h.db-shm"
say "back to disk"
move "$db" pg_default
"${psql[@]}" -c "DROP TABLESPACE ${db}_mem"
rmdir "$mem"
"$h" bench --db "$pg" dashboard --province 79 --repeat 100 | tee "$dir/bench_pg.txt"
