#!/usr/bin/env bash
# Nightly database backup: dump, compress, upload, prune.
set -euo pipefail

DB_NAME="${DB_NAME:-shop}"
BACKUP_DIR="/var/backups/postgres"
RETENTION_DAYS=14
BUCKET="s3://acme-backups/postgres"
STAMP="$(date +%Y-%m-%d_%H%M)"

log() {
  echo "[$(date -Is)] $*" >&2
}

dump() {
  log "dumping ${DB_NAME}"
  pg_dump --format=custom --no-owner "${DB_NAME}" > "${BACKUP_DIR}/${DB_NAME}_${STAMP}.dump"
}

upload() {
  log "uploading to ${BUCKET}"
  aws s3 cp "${BACKUP_DIR}/${DB_NAME}_${STAMP}.dump" "${BUCKET}/" --storage-class STANDARD_IA
}

prune() {
  log "removing dumps older than ${RETENTION_DAYS} days"
  find "${BACKUP_DIR}" -name '*.dump' -mtime "+${RETENTION_DAYS}" -delete
}

mkdir -p "${BACKUP_DIR}"
dump
upload
prune
log "done"
