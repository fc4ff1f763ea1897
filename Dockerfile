# syntax=docker/dockerfile:1
# One image for every exec-notify process; pick the app by name:
#   docker build -t exec-notify .
#   docker run --env-file .env exec-notify migrate      # then: api | ws | poller | worker
# Runtime stage: node:20-slim, production dependencies, the esbuild bundles and
# drizzle/ migrations only (no sources, no compiler), running as user `node`.

ARG NODE_IMAGE=node:20-slim

# 1. The package manifests alone, so the `npm ci` layer is reused until a dependency changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . \( -name node_modules -o -name dist \) -prune -o \( -name package.json -o -name package-lock.json \) -print \
    | xargs -I{} cp --parents {} /manifests

# 2. Build: every dependency, the app bundles (npm run build), the migration runner; then drop dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && node deploy/build-migrate.mjs \
 && npm prune --omit=dev --no-audit --no-fund
# Assemble exactly what runs: bundles keep their place three folders below the root
# (that is how @execn/db finds drizzle/), and a lib's built browser assets (the trader page) come along.
RUN mkdir -p /out/deploy /out/scripts \
 && cp -r package.json node_modules drizzle /out/ \
 && for d in apps/*/dist; do mkdir -p "/out/$d" && cp -r "$d/." "/out/$d/"; done \
 && cp -r scripts/dist /out/scripts/dist \
 && for lib in libs/*; do if [ -d "$lib/dist" ]; then mkdir -p "/out/$lib" && cp -r "$lib/package.json" "$lib/dist" "/out/$lib/"; fi; done \
 && cp deploy/docker-entrypoint.sh /out/deploy/

# 3. Runtime.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /out/ ./
USER node
# In a container the network namespace is the boundary: listen on every interface of it (the
# apps default to 127.0.0.1, which would be unreachable here); what is published is up to `docker run -p`.
ENV HOST=0.0.0.0
# api 3000, ws 3001, poller/worker metrics 9100 (each set by API_PORT, WS_PORT, METRICS_PORT).
EXPOSE 3000 3001 9100
ENTRYPOINT ["sh", "/app/deploy/docker-entrypoint.sh"]
CMD ["api"]
