# aelab API: HTTP routes, Bull Board, /metrics. Build from the repository root:
#   docker build -f infra/docker/api.Dockerfile -t aelab-api:0.1.0 .
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    PORT=8080 \
    AELAB_STORAGE=/srv/aelab/storage \
    AELAB_CONFIGS_DIR=/app/configs

WORKDIR /app
# Dependencies first, so that a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY shared ./shared
COPY apps ./apps
COPY configs ./configs
COPY bin ./bin
# Compiled to JavaScript: the processes start without a TypeScript loader (npm run build).
RUN node bin/build-js.mjs

# A named volume mounted here starts with this ownership, so the non-root user can write it.
RUN mkdir -p /srv/aelab/storage /srv/aelab/data && chown -R node:node /srv/aelab
USER node

EXPOSE 8080
CMD ["node", "build/js/apps/api/main.js"]
