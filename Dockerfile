# The offboarding worker. Build context: this repository.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY config ./config
COPY worker ./worker
COPY tsconfig.json ./
USER node
# SIGTERM drains the worker gracefully (see worker/main.ts); compose's stop_grace_period leaves it time to.
CMD ["npx", "tsx", "worker/main.ts"]
