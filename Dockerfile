# syntax=docker/dockerfile:1
# scangate: one image for `scangate serve` (admission webhook), `scangate worker` and every other
# CLI command (`docker run IMAGE ref parse nginx`). Build from the repository root:
#   docker build -t scangate:dev .
#
# Base: node 20.19.5 on Debian bookworm, pinned by digest (the digest was taken offline from
# several public Dockerfiles pinning this tag; check it with
# `skopeo inspect docker://docker.io/library/node:20.19.5-bookworm-slim` before a release and
# override with --build-arg NODE_IMAGE=... to move it).
ARG NODE_IMAGE=docker.io/library/node:20.19.5-bookworm-slim@sha256:9e70124bd00f47dd023e349cd587132ae61892acc0e47ed641416c3e18f401c3

# ---- build: install the workspace, compile with tsc -b, deploy the CLI's production closure ----
FROM ${NODE_IMAGE} AS build
ENV CI=true
# The pnpm release package.json's "packageManager" names (npm rather than corepack: older corepack
# releases cannot verify newer pnpm signatures).
RUN npm install --global --no-fund --no-audit pnpm@10.34.9
WORKDIR /src
# Dependencies first, from the lockfile alone, so that source edits reuse this layer.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY apps ./apps
COPY test/package.json ./test/package.json
RUN pnpm install --frozen-lockfile --offline
# The CLI and the projects it references (every lib, webhook, worker); not the test project.
RUN pnpm exec tsc -b apps/cli
# Production dependencies of @scangate/cli plus the workspace packages it uses (their "files": dist).
RUN pnpm --filter @scangate/cli deploy --prod --legacy /out \
 && rm -rf /out/src /out/tsconfig.json /out/tsconfig.tsbuildinfo

# ---- runtime: node + the deployed CLI, nothing else ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# A numeric non-root user (65532, as distroless "nonroot"), so runAsNonRoot can verify it.
RUN groupadd --gid 65532 scangate \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin scangate \
 && mkdir -p /var/lib/scangate \
 && chown 65532:65532 /var/lib/scangate
COPY --from=build --chown=0:0 /out /app
# The working directory is the only place scangate writes (dataDir ".scangate": the embedded
# self-signed certificate). With a read-only root filesystem mount a volume or tmpfs here, or give
# server.tls.certFile/keyFile (then nothing is written at all).
WORKDIR /var/lib/scangate
USER 65532:65532
EXPOSE 8443 8081 9464
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["serve"]
