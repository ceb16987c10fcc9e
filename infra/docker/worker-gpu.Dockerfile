# aelab worker on one NVIDIA GPU through @tensorflow/tfjs-node-gpu. Build from the
# repository root (the build downloads libtensorflow, so it needs the internet):
#   docker build -f infra/docker/worker-gpu.Dockerfile -t aelab-worker-gpu:0.1.0 .
# The host needs only the NVIDIA driver and the NVIDIA Container Toolkit: CUDA and cuDNN
# come with the image.

# Node's official Linux build needs glibc >= 2.28, so the binary from the Debian image
# runs on Ubuntu 20.04 (glibc 2.31).
FROM node:20-bookworm-slim AS node

# tfjs-node-gpu 4.22 links libtensorflow 2.9, built against CUDA 11.2 and cuDNN 8.1.
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04

COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx

# The tfjs-node-gpu install script downloads libtensorflow and a prebuilt binding; the
# compiler and python are its fallback when no prebuilt binding matches.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 aelab

ENV NODE_ENV=production \
    AELAB_BACKEND=tensorflow \
    AELAB_STORAGE=/srv/aelab/storage \
    AELAB_DATA_ROOT=/srv/aelab/data

WORKDIR /app
COPY package.json package-lock.json ./
# The native binding is not a dependency of the package (its install needs the internet),
# so it is added here without touching package.json or the lock file.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0 \
 && npm cache clean --force
COPY tsconfig.json ./
COPY shared ./shared
COPY apps ./apps
COPY configs ./configs
COPY bin ./bin
# Compiled to JavaScript: the processes start without a TypeScript loader (npm run build).
RUN node bin/build-js.mjs

RUN mkdir -p /srv/aelab/storage /srv/aelab/data && chown -R aelab:aelab /srv/aelab
USER aelab

STOPSIGNAL SIGTERM
CMD ["node", "build/js/apps/worker/main.js"]
