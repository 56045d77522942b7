# The offboarding worker, compiled. Build context: this repository.
#   docker build -t acs-offboarding-worker .
# CI has no Docker engine: `npm run image:check` (in .ci/run) carries out these instructions in a scratch directory
# and runs the CMD against a Temporal dev server until an offboarding run completes. It knows FROM, WORKDIR, COPY,
# RUN, ENV, USER and CMD; teach it any other instruction before using one here.

# npm ci --ignore-scripts: the same install whatever npm runs it (npm 11, on CI, holds dependencies' install scripts
# back; none is needed on Node 20), and no root package script runs before the sources are there. --prefer-offline:
# a builder with a warm npm cache (CI) does not ask the registry again for what it holds.

# Build: TypeScript compiled to dist/, and the workflows bundled once, here, instead of at every worker start.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --prefer-offline --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:workflow-bundle -- dist/workflow-bundle.js

# Runtime: node on the compiled worker, production dependencies only (no tsx, no TypeScript, no test tooling).
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund
COPY --from=build /app/dist ./dist
ENV OFFBOARD_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
USER node
# Memory for runs that wait days (README, Sizing the worker): glibc keeps two malloc arenas, not eight per core, and V8
# lets a heap grow 20 % past what its last full collection kept instead of up to 4×, which a worker that took a bulk
# otherwise keeps. Measured with 1,000 runs waiting: 473 → 312 MiB, for about 8 % more worker CPU in a bulk.
ENV MALLOC_ARENA_MAX=2
# SIGTERM drains the worker gracefully (see worker/main.ts); compose's stop_grace_period leaves it time to.
CMD ["node", "--heap-growing-percent=20", "dist/worker/main.js"]
