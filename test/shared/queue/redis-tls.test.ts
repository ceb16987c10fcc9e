import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiConnection, createWorkerConnection, describeRedisUrl, pingRedis } from '../../../shared/queue/redis-connection.ts';
import { RedisTlsConfigError } from '../../../shared/queue/redis-tls.ts';
import { createTestCertificates, startTlsRedis, tlsToolsMissing, type TestCertificates, type TlsRedis } from '../../support/tls-redis.ts';

const PASSWORD = 'tls-test-password-4f1e';
const missing = tlsToolsMissing();
if (missing !== null) console.log(`skipping the Redis TLS tests: ${missing}`);

/** The first 'error' event of a connection (ioredis reports handshake failures only there). */
function firstError(connection: Redis): Promise<Error> {
  return new Promise((resolve) => connection.once('error', resolve));
}

describe('the describeRedisUrl log form', () => {
  it('hides the password of rediss:// and redis:// URLs', () => {
    expect(describeRedisUrl('rediss://:pw@host:6380')).toBe('rediss://***@host:6380');
    expect(describeRedisUrl('rediss://user:s3cret@redis.internal:6380/2')).toBe('rediss://***@redis.internal:6380/2');
    expect(describeRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('TLS settings that cannot work', () => {
  it('names the variable and the path of a CA file it cannot read or that is not PEM', async () => {
    const url = 'rediss://:pw@127.0.0.1:1';
    expect(() => createApiConnection(url, { AELAB_REDIS_TLS_CA: '/nonexistent/ca.pem' })).toThrow(
      new RedisTlsConfigError('AELAB_REDIS_TLS_CA=/nonexistent/ca.pem: cannot read it (ENOENT)'),
    );
    expect(() => createWorkerConnection(url, { AELAB_REDIS_TLS_CA: '/' })).toThrow('AELAB_REDIS_TLS_CA=/: cannot read it (EISDIR)');
    const notPem = join(import.meta.dirname, 'redis-tls.test.ts');
    await expect(pingRedis(url, 500, { AELAB_REDIS_TLS_CA: notPem })).rejects.toThrow(`AELAB_REDIS_TLS_CA=${notPem}: not a PEM file`);
  });

  it('wants a client certificate and its key together', () => {
    expect(() => createApiConnection('rediss://127.0.0.1:1', { AELAB_REDIS_TLS_KEY: '/some/key.pem' })).toThrow(
      'AELAB_REDIS_TLS_KEY is set but AELAB_REDIS_TLS_CERT is not: a client certificate needs both',
    );
  });

  it('refuses TLS files for a plain redis:// URL instead of silently connecting unencrypted', () => {
    expect(() => createApiConnection('redis://:pw@127.0.0.1:6379', { AELAB_REDIS_TLS_CA: '/some/ca.pem' })).toThrow(
      'AELAB_REDIS_TLS_CA/AELAB_REDIS_TLS_CERT/AELAB_REDIS_TLS_KEY are for TLS, but the Redis URL redis://***@127.0.0.1:6379 is not rediss://',
    );
  });
});

describe.skipIf(missing !== null)('connections to a redis-server that speaks only TLS and wants a password', () => {
  let certificates: TestCertificates;
  let redis: TlsRedis;
  let env: NodeJS.ProcessEnv;
  const open: Redis[] = [];
  const track = (connection: Redis) => {
    // Failures are asserted through ping() and firstError(); the reconnect attempts' errors are expected.
    connection.on('error', () => undefined);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    certificates = await createTestCertificates();
    redis = await startTlsRedis(certificates, PASSWORD);
    env = { AELAB_REDIS_TLS_CA: certificates.caFile };
  });
  afterAll(async () => {
    for (const connection of open) connection.disconnect();
    await redis?.stop();
    await rm(certificates.folder, { recursive: true, force: true });
  });

  it('connects with the private CA from AELAB_REDIS_TLS_CA: API and worker connections and pingRedis', async () => {
    const api = track(createApiConnection(redis.url, env));
    await new Promise((resolve) => api.once('ready', resolve));
    expect(await api.ping()).toBe('PONG');
    const worker = track(createWorkerConnection(redis.url, env));
    await worker.set('aelab-tls-test', 'over tls', 'EX', 60);
    expect(await worker.get('aelab-tls-test')).toBe('over tls');
    // BullMQ opens its blocking connections with duplicate(): TLS must carry over.
    const duplicate = track(worker.duplicate());
    expect(await duplicate.ping()).toBe('PONG');
    expect(await pingRedis(redis.url, 2000, env)).toBe(true);
  });

  it('reads the CA file once: connections made after it is gone still use it', async () => {
    const copy = join(certificates.folder, 'ca-copy.crt');
    await copyFile(certificates.caFile, copy);
    const first = track(createWorkerConnection(redis.url, { AELAB_REDIS_TLS_CA: copy }));
    expect(await first.ping()).toBe('PONG');
    await rm(copy);
    const second = track(createWorkerConnection(redis.url, { AELAB_REDIS_TLS_CA: copy }));
    expect(await second.ping()).toBe('PONG');
  });

  it('fails with WRONGPASS on a wrong password', async () => {
    const wrongUrl = redis.url.replace(PASSWORD, 'not-the-password');
    const worker = track(createWorkerConnection(wrongUrl, env));
    await expect(worker.ping()).rejects.toThrow(/WRONGPASS/);
    const api = track(createApiConnection(wrongUrl, env));
    expect((await firstError(api)).message).toMatch(/^WRONGPASS invalid username-password pair/);
    expect(await pingRedis(wrongUrl, 2000, env)).toBe(false);
  });

  it('refuses the server certificate without the private CA', async () => {
    const api = track(createApiConnection(redis.url, {}));
    expect((await firstError(api)).message).toMatch(/self-signed certificate in certificate chain|unable to (get local issuer|verify)/);
    expect(await pingRedis(redis.url, 2000, {})).toBe(false);
    const other = await createTestCertificates();
    expect(await pingRedis(redis.url, 2000, { AELAB_REDIS_TLS_CA: other.caFile })).toBe(false);
    await rm(other.folder, { recursive: true, force: true });
  });
});

describe.skipIf(missing !== null)('a redis-server that wants client certificates', () => {
  let certificates: TestCertificates;
  let redis: TlsRedis;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    redis = await startTlsRedis(certificates, PASSWORD, true);
  });
  afterAll(async () => {
    await redis?.stop();
    await rm(certificates.folder, { recursive: true, force: true });
  });

  it('accepts the client certificate of AELAB_REDIS_TLS_CERT and AELAB_REDIS_TLS_KEY, and nobody without one', async () => {
    const withCertificate = { AELAB_REDIS_TLS_CA: certificates.caFile, AELAB_REDIS_TLS_CERT: certificates.clientCert, AELAB_REDIS_TLS_KEY: certificates.clientKey };
    expect(await pingRedis(redis.url, 2000, withCertificate)).toBe(true);
    const worker = createWorkerConnection(redis.url, withCertificate);
    expect(await worker.ping()).toBe('PONG');
    worker.disconnect();
    expect(await pingRedis(redis.url, 2000, { AELAB_REDIS_TLS_CA: certificates.caFile })).toBe(false);
  });
});
