# syntax=docker/dockerfile:1
# cloudsuite-slack. Node 24 runs the TypeScript sources directly (type stripping), so there is no
# build step: the image holds src/, package files and production node_modules, nothing else.
#
#   docker build -t cloudsuite-slack .                 production image (last stage, "runtime")
#   docker build --target dev -t cloudsuite-slack:dev . sandbox simulators and tests (not shipped)

ARG NODE_IMAGE=node:24-bookworm-slim

# --- production dependencies only ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- development image: simulators, emulator, tests (compose profile "sandbox") ------------------
FROM ${NODE_IMAGE} AS dev
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY . .
USER node
CMD ["npm", "run", "sim:infor"]

# --- runtime --------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Root-owned and read-only to the app user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json manifest.yml ./
COPY src ./src
USER node
EXPOSE 3000
# Liveness (/healthz): event loop and worker progress. slim images have no curl: use Node's fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM starts the graceful shutdown (stop intake, drain jobs, revoke token, close Redis).
STOPSIGNAL SIGTERM
# V8 flags of src/ops/node-flags.ts (young generation sized for the app, not the host).
ENTRYPOINT ["node", "--max-semi-space-size=16", "src/cli.ts"]
CMD ["serve", "--role", "all"]
