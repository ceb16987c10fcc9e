import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { systemErrorCode } from '../errors/system-error-code.ts';

/** The environment variables that configure TLS to Redis (the URL must be `rediss://`). */
export const REDIS_TLS_VARIABLES = {
  ca: 'AELAB_REDIS_TLS_CA',
  cert: 'AELAB_REDIS_TLS_CERT',
  key: 'AELAB_REDIS_TLS_KEY',
} as const;

/** A TLS setting for Redis that cannot work; the message names the variable and the file. */
export class RedisTlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisTlsConfigError';
  }
}

// Each connection (and every BullMQ duplicate of one) would otherwise read the files again.
const pemFiles = new Map<string, Buffer>();

/**
 * Node TLS options from `AELAB_REDIS_TLS_CA` (a PEM CA bundle for a private CA) and
 * `AELAB_REDIS_TLS_CERT` / `AELAB_REDIS_TLS_KEY` (a client certificate, both or neither);
 * undefined when none is set, so the system CAs apply.
 */
export function redisTlsOptions(env: NodeJS.ProcessEnv = process.env): ConnectionOptions | undefined {
  const certSet = (env[REDIS_TLS_VARIABLES.cert] ?? '').length > 0;
  if (certSet !== ((env[REDIS_TLS_VARIABLES.key] ?? '').length > 0)) {
    const [set, unset] = certSet ? [REDIS_TLS_VARIABLES.cert, REDIS_TLS_VARIABLES.key] : [REDIS_TLS_VARIABLES.key, REDIS_TLS_VARIABLES.cert];
    throw new RedisTlsConfigError(`${set} is set but ${unset} is not: a client certificate needs both`);
  }
  const [ca, cert, key] = (['ca', 'cert', 'key'] as const).map((part) => readPem(REDIS_TLS_VARIABLES[part], env[REDIS_TLS_VARIABLES[part]]));
  if (ca === undefined && cert === undefined) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

/** True when any of the TLS variables is set. */
export function redisTlsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Object.values(REDIS_TLS_VARIABLES).some((variable) => (env[variable] ?? '').length > 0);
}

function readPem(variable: string, path: string | undefined): Buffer | undefined {
  if (path === undefined || path.length === 0) return undefined;
  const cached = pemFiles.get(path);
  if (cached) return cached;
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const reason = systemErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
    throw new RedisTlsConfigError(`${variable}=${path}: cannot read it (${reason})`);
  }
  if (!content.includes('-----BEGIN ')) throw new RedisTlsConfigError(`${variable}=${path}: not a PEM file (no "-----BEGIN" line)`);
  pemFiles.set(path, content);
  return content;
}
