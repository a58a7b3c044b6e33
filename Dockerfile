# syntax=docker/dockerfile:1
# One image for both processes, chosen by the command:
#   API:    node dist/api/main.js     (the default; listens on $PORT, 8084 unless set)
#   worker: node dist/worker/main.js
# docker-compose.yml runs both from it.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 falls back to compiling from source when no prebuilt binary matches the platform; the toolchain for
# that stays in this stage and never reaches the runtime image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Manifests first, so a source-only change reuses the cached npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build ./scripts/build
COPY src ./src
# The pruned node_modules is what ships: production dependencies only, native modules already built for this base.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# The same node settings scripts/run gives `npm start`: V8's memory, malloc's arenas and the workflow-thread preload
# (scripts/node-options says why; test/deploy checks they agree).
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=2 --require=/app/dist/worker/workflow-thread-preload.js"
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
# Code and dependencies stay root-owned, so the unprivileged process cannot rewrite what it runs.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The only writable path, for the SQLite fallback when DATABASE_URL is left at its default.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8084
# No HEALTHCHECK here: the worker runs from this image too and has no HTTP endpoint; the API's check lives in
# docker-compose.yml.
CMD ["node", "dist/api/main.js"]
