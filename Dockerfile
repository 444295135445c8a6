# syntax=docker/dockerfile:1
# One image per service, plus `migrate`, from one file:
#   docker build --target provisioner -t agentgov/provisioner .     (behavior-baseliner, containment, review-scheduler, migrate)
# Stages: deps (every dependency) -> build (tsc to dist/, path aliases resolved) -> prod-deps (production
# dependencies only) -> runtime (shared base of the final images) -> one target per service.
# The final images run plain `node dist/...` as uid 1000, need no writable path but /tmp (mount an emptyDir
# there under a read-only root filesystem), and take every setting from the environment: LOG_LEVEL,
# OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), DATABASE_URL, KAFKA_*, AUTH_* and the
# service's own variables (apps/*/README.md). No secret is baked in.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Production dependencies only; none of them needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    LOG_LEVEL=info \
    TMPDIR=/tmp
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist/libs ./dist/libs
# Each service's init container runs it: it waits until the migrate job has brought the schema up to date.
COPY --from=build /app/dist/scripts/wait-for-migrations.js ./dist/scripts/
# Files stay owned by root: the service can read its code, not change it.
USER 1000:1000

FROM runtime AS migrate
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/scripts ./dist/scripts
CMD ["node", "dist/scripts/db-migrate.js"]

FROM runtime AS provisioner
COPY --from=build /app/dist/apps/provisioner ./dist/apps/provisioner
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 3001) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/provisioner/src/main.js"]

FROM runtime AS behavior-baseliner
COPY --from=build /app/dist/apps/behavior-baseliner ./dist/apps/behavior-baseliner
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 3002) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/behavior-baseliner/src/main.js"]

FROM runtime AS containment
COPY --from=build /app/dist/apps/containment ./dist/apps/containment
EXPOSE 3003
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 3003) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/containment/src/main.js"]

FROM runtime AS review-scheduler
COPY --from=build /app/dist/apps/review-scheduler ./dist/apps/review-scheduler
EXPOSE 3004
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 3004) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/review-scheduler/src/main.js"]
