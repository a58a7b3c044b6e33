#!/bin/sh
# Sets a Temporal cluster up the way production runs it, from deploy/temporal/cluster.env's settings. Run by
# docker-compose.yml's setup jobs (in the temporalio/admin-tools image) and by scripts/temporal-cluster in CI:
#   setup.sh schema     create both databases if missing and bring their schemas to the version the server ships
#                       (before the server starts; safe to repeat: the tool skips what is already there)
#   setup.sh namespace  wait for the frontend, then create the namespace with its retention and register the search
#                       attributes (safe to repeat)
# Reads: NUM_HISTORY_SHARDS, TEMPORAL_NAMESPACE, TEMPORAL_NAMESPACE_RETENTION, TEMPORAL_SEARCH_ATTRIBUTES (cluster.env);
# POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD, DBNAME, VISIBILITY_DBNAME, SCHEMA_DIR (schema);
# TEMPORAL_ADDRESS (namespace); TEMPORAL_SQL_TOOL and TEMPORAL_CLI name the binaries when not on PATH.
# POSIX sh: the admin-tools image is Alpine's busybox.
set -eu

SQL_TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
CLI="${TEMPORAL_CLI:-temporal}"
log() { echo "temporal setup: $*" >&2; }
need() { eval "[ -n \"\${$1:-}\" ]" || { log "$1 is not set"; exit 2; }; }

schema() {
  need POSTGRES_SEEDS
  need POSTGRES_USER
  need SCHEMA_DIR
  # The password goes through the environment, never the command line (visible in ps).
  export SQL_PLUGIN=postgres12 SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="${DB_PORT:-5432}" SQL_USER="$POSTGRES_USER"
  export SQL_PASSWORD="${POSTGRES_PWD:-}"
  for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
    db="${pair%%:*}"
    dir="$SCHEMA_DIR/postgresql/v12/${pair#*:}/versioned"
    [ -d "$dir" ] || { log "no schema at $dir"; exit 1; }
    # create-database fails on an existing database; that is the normal case on every start after the first.
    if "$SQL_TOOL" --db "$db" create-database >/dev/null 2>&1; then log "created database $db"; fi
    # setup-schema -v 0.0 only creates the version table when missing; update-schema applies what is newer.
    "$SQL_TOOL" --db "$db" setup-schema -v 0.0
    "$SQL_TOOL" --db "$db" update-schema -d "$dir"
    log "database $db is at the schema in $dir"
  done
}

namespace() {
  need TEMPORAL_ADDRESS
  need TEMPORAL_NAMESPACE
  need TEMPORAL_NAMESPACE_RETENTION
  need TEMPORAL_SEARCH_ATTRIBUTES
  tries=0
  until "$CLI" operator cluster health >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt "${TEMPORAL_SETUP_WAIT_SECONDS:-120}" ] || { log "no healthy frontend at $TEMPORAL_ADDRESS"; exit 1; }
    sleep 1
  done
  if "$CLI" operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
    "$CLI" operator namespace update --namespace "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_NAMESPACE_RETENTION"
  else
    "$CLI" operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_NAMESPACE_RETENTION"
  fi
  # One call for all of them; attributes that already exist with the same type are accepted as they are.
  set --
  for pair in $(echo "$TEMPORAL_SEARCH_ATTRIBUTES" | tr ',' ' '); do
    set -- "$@" --name "${pair%%=*}" --type "${pair#*=}"
  done
  # A new namespace reaches the frontend's namespace cache some seconds after it is created; until then this call
  # answers "namespace not found".
  tries=0
  until out="$("$CLI" operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" "$@" 2>&1)"; do
    tries=$((tries + 1))
    [ "$tries" -lt "${TEMPORAL_SETUP_WAIT_SECONDS:-120}" ] || { log "search attributes not registered: $out"; exit 1; }
    sleep 1
  done
  log "namespace $TEMPORAL_NAMESPACE (retention $TEMPORAL_NAMESPACE_RETENTION) has its search attributes"
}

case "${1:-}" in
  schema) schema ;;
  namespace) namespace ;;
  *) echo "usage: setup.sh schema|namespace" >&2; exit 2 ;;
esac
