#!/usr/bin/env bash
# Every check a change must pass: types, lint (module boundaries), unit tests, then integration tests
# against a real Kafka broker and PostgreSQL (started here if they are not running).
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n=== %s ===\n' "$*"; }

section "infrastructure"
bash scripts/infra/infra.sh up

section "type check"
npx tsc -p tsconfig.json --noEmit
# The console's single-page app has its own compiler settings (the browser's DOM, JSX).
npx tsc -p apps/console/web/tsconfig.json

section "format (prettier, imports sorted; npm run format fixes it)"
npx prettier --check --log-level warn "**/*.{ts,tsx,js,mjs,cjs}"

section "lint"
# npm run lint computes the Nx project graph first: without it the boundary rule silently skips itself.
npm run -s lint

section "unit tests"
npx jest -c jest.unit.config.js

section "migrations (test database)"
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/agentgov_test}" \
  node -r @swc-node/register scripts/db-migrate.ts

section "leftovers of earlier test runs"
env $(bash scripts/infra/infra.sh client-env admin) node -r @swc-node/register scripts/infra/clean-test-leftovers.ts

section "integration tests (real Kafka and PostgreSQL)"
# --forceExit: a failed test can leave a Kafka consumer behind; the run must still end and report.
npx jest -c jest.integration.config.js --runInBand --forceExit
