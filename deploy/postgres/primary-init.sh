#!/bin/sh
# The primary's first start (the postgres image runs /docker-entrypoint-initdb.d/* once, on an empty volume):
# a role for streaming replication, the replica's slot (the primary keeps the WAL the replica has not received
# yet), and the replica let in. The server restarts after this script, with the new pg_hba.conf.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set=password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('replica1');
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
