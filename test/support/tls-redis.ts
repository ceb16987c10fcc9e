import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopRedisServer } from '../../shared/queue/local-redis.ts';
import { pingRedis } from '../../shared/queue/redis-connection.ts';

/** PEM files of a private CA, a server certificate for 127.0.0.1/localhost and a client certificate. */
export interface TestCertificates {
  folder: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A redis-server that speaks only TLS and wants a password. */
export interface TlsRedis {
  port: number;
  /** `rediss://:<password>@127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/** Why these tests cannot run here, or null when redis-server (with TLS) and openssl are installed. */
export function tlsToolsMissing(): string | null {
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) return 'openssl is not installed';
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return 'redis-server is not installed';
  return null;
}

function openssl(folder: string, args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: folder, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

/** A CA and certificates signed by it, valid for two days, in a new temporary folder. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const folder = await mkdtemp(join(tmpdir(), 'aelab-tls-'));
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(folder, ['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=aelab test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await writeFile(join(folder, 'server.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(folder, 'client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', '/CN=127.0.0.1'], ['client', '/CN=aelab test client']] as const) {
    openssl(folder, ['req', '-new', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(folder, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  }
  return {
    folder,
    caFile: join(folder, 'ca.crt'),
    serverCert: join(folder, 'server.crt'),
    serverKey: join(folder, 'server.key'),
    clientCert: join(folder, 'client.crt'),
    clientKey: join(folder, 'client.key'),
  };
}

/**
 * Starts redis-server on a free TLS port only (no plain port), with `password`;
 * `clientCertificates` makes it refuse clients without a certificate signed by the CA.
 */
export async function startTlsRedis(certificates: TestCertificates, password: string, clientCertificates = false): Promise<TlsRedis> {
  const port = await freePort();
  const directory = await mkdtemp(join(tmpdir(), 'aelab-tls-redis-'));
  const server: ChildProcess = spawn(
    'redis-server',
    [
      '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--dir', directory,
      '--tls-cert-file', certificates.serverCert, '--tls-key-file', certificates.serverKey, '--tls-ca-cert-file', certificates.caFile,
      '--tls-auth-clients', clientCertificates ? 'yes' : 'no', '--requirepass', password, '--save', '', '--appendonly', 'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  server.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-5000)));
  server.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-5000)));
  const url = `rediss://:${password}@127.0.0.1:${port}`;
  const env = {
    AELAB_REDIS_TLS_CA: certificates.caFile,
    ...(clientCertificates ? { AELAB_REDIS_TLS_CERT: certificates.clientCert, AELAB_REDIS_TLS_KEY: certificates.clientKey } : {}),
  };
  const deadline = Date.now() + 20_000;
  while (!(await pingRedis(url, 1000, env))) {
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
      throw new Error(`redis-server with TLS did not start on port ${port} (exit code ${server.exitCode ?? 'none'}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    port,
    url,
    stop: () => stopRedisServer(server, directory),
  };
}
