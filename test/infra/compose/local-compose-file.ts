import { isAbsolute, join } from 'node:path';

/** The parts of a compose service this derivation reads or rewrites. */
export interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  deploy?: { replicas?: number; resources?: unknown };
  working_dir?: string;
  tmpfs?: string[];
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface LocalComposeOptions {
  /** The repository, mounted read-only at /app as the images' WORKDIR holds it. */
  repoRoot: string;
  /** A host folder that replaces the `storage` volume, so the check can seed data and read results. */
  storageDir: string;
  apiPort: number;
  /** An empty image; the host's /usr (node, redis-server) is mounted into it. */
  image: string;
  /** Each service's command as its Dockerfile's CMD gives it (services built from one). */
  dockerfileCommands: Record<string, string[]>;
}

/**
 * Host folders that hold node, redis-server and the libraries they load (merged /usr:
 * /bin, /lib and /lib64 lead there too). /usr/local stays the image's, where compose
 * mounts redis.conf.
 */
const HOST_RUNTIME_MOUNTS = ['/usr/bin:/usr/bin:ro', '/usr/lib:/usr/lib:ro', '/usr/lib64:/usr/lib64:ro', '/usr/share:/usr/share:ro', '/bin:/bin:ro', '/lib:/lib:ro', '/lib64:/lib64:ro'];

/**
 * docker-compose.yml made to run on a machine that reaches no image registry and has no
 * GPU, changing only what cannot run here: images (the host's node and redis-server in
 * an empty image instead of images built from a base that cannot be pulled), the storage
 * volume (a host folder), the API's host port, and the GPU worker's device reservation
 * and CUDA backend (its backend becomes `cpu`). Every environment variable that routes
 * work, AELAB_WORKER_LABELS above all, and every replica count stay as written; services
 * behind a profile are left out, as `docker compose up` leaves them.
 */
export function localComposeFile(compose: ComposeFile, options: LocalComposeOptions): ComposeFile {
  const services: Record<string, ComposeService> = {};
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.profiles !== undefined) continue;
    const { build: _build, ...kept } = service;
    const local: ComposeService = {
      ...kept,
      image: options.image,
      environment: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', ...service.environment },
      volumes: [...(service.volumes ?? []).map((volume) => localVolume(volume, options)), ...HOST_RUNTIME_MOUNTS, `${options.repoRoot}:/app:ro`],
      tmpfs: ['/tmp'],
    };
    if (service.build !== undefined) {
      const command = options.dockerfileCommands[name];
      if (command === undefined) throw new Error(`no Dockerfile command given for service ${name}`);
      local.command = command;
      local.working_dir = '/app';
      local.environment = { NODE_ENV: 'production', ...local.environment };
    }
    if (service.ports !== undefined) local.ports = service.ports.map((port) => `${options.apiPort}:${port.split(':').at(-1)}`);
    if (service.deploy?.resources !== undefined) {
      local.deploy = { replicas: service.deploy.replicas };
      local.environment = { ...local.environment, AELAB_BACKEND: 'cpu' };
    }
    services[name] = local;
  }
  const { storage: _storage, ...volumes } = compose.volumes ?? {};
  return { ...compose, services, volumes };
}

function localVolume(volume: string, options: LocalComposeOptions): string {
  const [source, ...rest] = volume.split(':');
  if (source === 'storage') return [options.storageDir, ...rest].join(':');
  if (source.startsWith('.') || isAbsolute(source)) return [isAbsolute(source) ? source : join(options.repoRoot, source), ...rest].join(':');
  return volume;
}

/** The CMD of a Dockerfile (exec form), e.g. `["node", "--import", "tsx", "apps/api/main.ts"]`. */
export function dockerfileCommand(dockerfile: string): string[] {
  const line = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1)?.[1];
  if (line === undefined) throw new Error('the Dockerfile has no CMD in exec form');
  return JSON.parse(line) as string[];
}
