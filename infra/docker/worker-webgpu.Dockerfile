# aelab worker on one NVIDIA GPU through WebGPU (Dawn's Vulkan backend, npm `webgpu`):
# no CUDA, cuDNN or libtensorflow in the image, and no download outside the npm registry.
#   docker build -f infra/docker/worker-webgpu.Dockerfile -t aelab-worker-webgpu:0.1.0 .
# The host needs the NVIDIA driver and the NVIDIA Container Toolkit; the container must be
# given the `graphics` driver capability (NVIDIA_DRIVER_CAPABILITIES below), which mounts
# the driver's Vulkan library. Without a Vulkan GPU the worker refuses to start training:
# the image has no software rasteriser to fall back to.
FROM node:20-bookworm-slim

# The Vulkan loader; the NVIDIA ICD manifest points it at the driver library the toolkit mounts.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libvulkan1 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /etc/vulkan/icd.d \
 && printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3"}}\n' >/etc/vulkan/icd.d/nvidia_icd.json

ENV NODE_ENV=production \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,graphics,utility \
    AELAB_BACKEND=webgpu \
    AELAB_STORAGE=/srv/aelab/storage \
    AELAB_DATA_ROOT=/srv/aelab/data

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

RUN mkdir -p /srv/aelab/storage /srv/aelab/data && chown -R node:node /srv/aelab
USER node

STOPSIGNAL SIGTERM
CMD ["node", "build/js/apps/worker/main.js"]
