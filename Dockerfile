# syntax=docker/dockerfile:1
# perpbot: multi-stage build, non-root, the pinned Node 24, lockfile install, health check on /health.
# See docs/deploy.md. Keep NODE_VERSION in step with the `node` version in package-lock.json.
ARG NODE_VERSION=24.21.0

# ---- build: install exactly the lockfile's dependencies (no dev tools) ----
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# the lockfile decides every version (`npm ci` refuses this lockfile: it lacks other platforms' optional
# binaries, see .ci/run), so install from it with `npm install`, no dev dependencies
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: the sources (TypeScript runs by type stripping, nothing to compile) ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PERPBOT__DATA_DIR=/data \
    PERPBOT__API__ENABLED=true \
    PERPBOT__API__HOST=0.0.0.0 \
    PERPBOT__API__PORT=8787 \
    PERPBOT__API__ALLOW_REMOTE=true
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8787/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "src/cli/bin.mjs"]
CMD ["run"]
