#!/usr/bin/env bash
# Start the background job worker for the orders service.
set -euo pipefail

SERVICE_NAME="orders-worker"
WORKERS="${WORKERS:-8}"
QUEUE="${QUEUE:-default}"
LOG_DIR="/var/log/orders"

log() {
  echo "[$(date -u +%FT%TZ)] $*" >&2
}

prepare() {
  mkdir -p "$LOG_DIR"
  if [ ! -f .env ]; then
    log "missing .env, aborting"
    exit 1
  fi
}

start() {
  log "starting $SERVICE_NAME on queue $QUEUE"
  exec celery -A orders worker \
    --queues "$QUEUE" \
    --concurrency "$WORKERS" \
    --loglevel INFO \
    --logfile "$LOG_DIR/worker.log"
}

prepare
start
