# aelab worker without a GPU (wasm or pure-JS backend): sweep controllers, evaluations and
# small trainings. Build from the repository root:
#   docker build -f infra/docker/worker-cpu.Dockerfile -t aelab-worker-cpu:0.1.0 .
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    AELAB_BACKEND=auto \
    AELAB_STORAGE=/srv/aelab/storage \
    AELAB_DATA_ROOT=/srv/aelab/data

# g++, OpenBLAS and oneDNN build the native kernels (bin/build-native-kernels.mjs); oneDNN computes
# their convolutions.
RUN apt-get update && apt-get install -y --no-install-recommends g++ libopenblas-dev libdnnl-dev && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY shared ./shared
COPY apps ./apps
COPY configs ./configs
COPY bin ./bin
# Compiled to JavaScript: the processes start without a TypeScript loader (npm run build).
RUN node bin/build-js.mjs
RUN node bin/build-native-kernels.mjs

RUN mkdir -p /srv/aelab/storage /srv/aelab/data && chown -R node:node /srv/aelab
USER node

# On SIGTERM the worker finishes its batch, checkpoints and hands the job back: give it
# time (compose stop_grace_period / Kubernetes terminationGracePeriodSeconds, 120 s).
STOPSIGNAL SIGTERM
CMD ["node", "build/js/apps/worker/main.js"]
