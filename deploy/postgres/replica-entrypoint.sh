#!/bin/sh
# The replica: on an empty volume, a base backup of the primary (pg_basebackup -R writes the standby settings),
# then the postgres image's own entrypoint, which finds the data directory made and starts a hot standby that
# streams from the primary's slot. Runs as the postgres user (compose.yaml: user: postgres).
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_basebackup --host="$PRIMARY_HOST" --username=replicator --pgdata="$PGDATA" --slot=replica1 \
                        --write-recovery-conf --wal-method=stream --checkpoint=fast --no-password; do
        echo "replica: waiting for the primary at $PRIMARY_HOST…"
        rm -rf "${PGDATA:?}"/*
        sleep 2
    done
    chmod 0700 "$PGDATA"
fi
exec docker-entrypoint.sh postgres -c hot_standby=on
