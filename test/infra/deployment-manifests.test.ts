import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { labelsFromEnv } from '../../shared/contracts/worker-labels.ts';
import { routedQueueName } from '../../shared/routing/routed-queue-name.ts';

// docker and kubectl are not available where the tests run, so these tests check the
// wiring between the files: names, labels, ports, paths and queue keys that must agree.

type Node = Record<string, unknown>;

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a dotted path through maps (and list indices), failing with the path that is missing. */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (isNode(current) && key in current) current = current[key];
    else throw new Error(`missing "${key}" in ${path}`);
  }
  return current;
}

function list(value: unknown, path: string): unknown[] {
  const found = at(value, path);
  if (!Array.isArray(found)) throw new Error(`${path} is not a list`);
  return found;
}

function text(value: unknown, path: string): string {
  return String(at(value, path));
}

const k8sDir = 'infra/k8s';
const manifests: Node[] = readdirSync(join(root, k8sDir))
  .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
  .flatMap((name) => loadAll(read(join(k8sDir, name))))
  .filter(isNode);

function resource(kind: string, name: string): Node {
  const found = manifests.find((m) => m.kind === kind && text(m, 'metadata.name') === name);
  if (found === undefined) throw new Error(`no ${kind} named ${name} in ${k8sDir}`);
  return found;
}

function container(deployment: Node): Node {
  const [first] = list(deployment, 'spec.template.spec.containers');
  if (!isNode(first)) throw new Error('container is not a map');
  return first;
}

function env(deployment: Node, name: string): string | undefined {
  const entry = list(container(deployment), 'env').find((e) => isNode(e) && e.name === name);
  return isNode(entry) && typeof entry.value === 'string' ? entry.value : undefined;
}

/** The mount path of the container volume backed by the given PVC. */
function claimMountPath(deployment: Node, claimName: string): string | undefined {
  const volume = list(deployment, 'spec.template.spec.volumes').find(
    (v) => isNode(v) && isNode(v.persistentVolumeClaim) && v.persistentVolumeClaim.claimName === claimName,
  );
  if (!isNode(volume)) return undefined;
  const mount = list(container(deployment), 'volumeMounts').find((m) => isNode(m) && m.name === volume.name);
  return isNode(mount) ? String(mount.mountPath) : undefined;
}

function isAtOrUnder(path: string, mountPath: string): boolean {
  return path === mountPath || path.startsWith(`${mountPath.replace(/\/$/, '')}/`);
}

const api = resource('Deployment', 'aelab-api');
const worker = resource('Deployment', 'aelab-worker-gpu');
const webgpuWorker = resource('Deployment', 'aelab-worker-webgpu');
const redisService = resource('Service', 'redis');
const redisPort = Number(at(list(redisService, 'spec.ports')[0], 'port'));
const namespace = text(load(read(join(k8sDir, 'kustomization.yaml'))), 'namespace');

describe('Kubernetes manifests', () => {
  it('lists every manifest file in the kustomization', () => {
    const resources = list(load(read(join(k8sDir, 'kustomization.yaml'))), 'resources');
    const files = readdirSync(join(root, k8sDir)).filter((n) => n.endsWith('.yaml') && n !== 'kustomization.yaml');
    expect([...resources].sort()).toEqual(files.sort());
  });

  it('gives each GPU worker pod one GPU and two minutes to hand its job back', () => {
    const limits = at(container(worker), 'resources.limits') as Node;
    expect(Number(limits['nvidia.com/gpu'])).toBe(1);
    const requests = at(container(worker), 'resources.requests') as Node;
    if ('nvidia.com/gpu' in requests) expect(Number(requests['nvidia.com/gpu'])).toBe(1);
    expect(at(worker, 'spec.template.spec.terminationGracePeriodSeconds')).toBe(120);
  });

  it('runs the webgpu worker variant on one GPU with the Vulkan (graphics) driver capability', () => {
    expect(env(webgpuWorker, 'AELAB_BACKEND')).toBe('webgpu');
    expect(env(webgpuWorker, 'NVIDIA_DRIVER_CAPABILITIES')?.split(',')).toEqual(expect.arrayContaining(['compute', 'graphics', 'utility']));
    expect(Number((at(container(webgpuWorker), 'resources.limits') as Node)['nvidia.com/gpu'])).toBe(1);
    expect(at(webgpuWorker, 'spec.template.spec.terminationGracePeriodSeconds')).toBe(120);
    expect(text(container(webgpuWorker), 'image')).toMatch(/^aelab-worker-webgpu:/);
  });

  it('serves each worker\'s metrics on the port its Prometheus annotations name', () => {
    const port = env(worker, 'AELAB_METRICS_PORT');
    expect(port).toMatch(/^\d+$/);
    const annotations = at(worker, 'spec.template.metadata.annotations') as Node;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/port']).toBe(port);
    const ports = list(container(worker), 'ports');
    expect(ports.some((p) => isNode(p) && String(p.containerPort) === port)).toBe(true);
  });

  it('scales the worker Deployment on the train queue waiting list in the Redis Service', () => {
    const scaled = manifests.find((m) => m.kind === 'ScaledObject');
    expect(text(scaled, 'spec.scaleTargetRef.name')).toBe(text(worker, 'metadata.name'));
    const trigger = list(scaled, 'spec.triggers').find((t) => isNode(t) && t.type === 'redis' && text(t, 'metadata.listName') === 'aelab:train:wait');
    expect(trigger, 'a redis trigger on aelab:train:wait').toBeDefined();
    const address = text(trigger, 'metadata.address');
    const [host, port] = address.split(':');
    const [service, serviceNamespace] = host.split('.');
    expect(service).toBe(text(redisService, 'metadata.name'));
    expect(serviceNamespace, 'KEDA resolves the address from its own namespace').toBe(namespace);
    expect(Number(port)).toBe(redisPort);
    expect(env(worker, 'AELAB_QUEUE_PREFIX') ?? 'aelab').toBe('aelab');
  });

  it('labels the GPU workers gpu and scales them on the queues of gpu work too', () => {
    expect(labelsFromEnv(env(worker, 'AELAB_WORKER_LABELS'))).toContain('gpu');
    const scaled = manifests.find((m) => m.kind === 'ScaledObject');
    const triggers = list(scaled, 'spec.triggers').filter(isNode);
    const formula = text(scaled, 'spec.advanced.scalingModifiers.formula');
    for (const queue of [routedQueueName('train', ['gpu']), routedQueueName('evaluate', ['gpu'])]) {
      const trigger = triggers.find((t) => text(t, 'metadata.listName') === `aelab:${queue}:wait`);
      expect(trigger, `a redis trigger on aelab:${queue}:wait`).toBeDefined();
      expect(formula).toContain(text(trigger, 'name'));
    }
  });

  it('mounts one ReadWriteMany claim in the API and the workers where AELAB_STORAGE points', () => {
    const claim = manifests.find((m) => m.kind === 'PersistentVolumeClaim');
    expect(list(claim, 'spec.accessModes')).toContain('ReadWriteMany');
    const claimName = text(claim, 'metadata.name');
    for (const deployment of [api, worker, webgpuWorker]) {
      const storage = env(deployment, 'AELAB_STORAGE');
      const mountPath = claimMountPath(deployment, claimName);
      expect(mountPath, `${text(deployment, 'metadata.name')} mounts ${claimName}`).toBeDefined();
      expect(storage && mountPath && isAtOrUnder(storage, mountPath), `AELAB_STORAGE=${storage} under ${mountPath}`).toBe(true);
    }
    const dataRoot = env(worker, 'AELAB_DATA_ROOT');
    expect(dataRoot && isAtOrUnder(dataRoot, claimMountPath(worker, claimName) ?? '')).toBe(true);
  });

  it('routes the API Service to the API pods and their container port', () => {
    const service = resource('Service', 'aelab-api');
    const podLabels = at(api, 'spec.template.metadata.labels');
    expect(podLabels).toMatchObject(at(service, 'spec.selector') as Node);
    const ports = list(container(api), 'ports');
    const targetPort = at(list(service, 'spec.ports')[0], 'targetPort');
    const matched = ports.find((p) => isNode(p) && (p.containerPort === targetPort || p.name === targetPort));
    expect(matched, `container port ${String(targetPort)}`).toBeDefined();
    expect(String(at(matched, 'containerPort'))).toBe(env(api, 'PORT') ?? '8080');
  });

  it('points REDIS_URL of the API and the workers at the Redis Service, which selects the Redis pods', () => {
    for (const deployment of [api, worker, webgpuWorker]) {
      expect(env(deployment, 'REDIS_URL')).toBe(`redis://${text(redisService, 'metadata.name')}:${redisPort}`);
    }
    const redis = resource('StatefulSet', 'redis');
    expect(at(redis, 'spec.template.metadata.labels')).toMatchObject(at(redisService, 'spec.selector') as Node);
  });

  it('takes the API token from a Secret and probes health without and readiness with it', () => {
    const token = list(container(api), 'env').find((e) => isNode(e) && e.name === 'AELAB_API_TOKEN');
    expect(text(token, 'valueFrom.secretKeyRef.name')).toBe('aelab-api-token');
    expect(text(container(api), 'livenessProbe.httpGet.path')).toBe('/healthz');
    expect(list(container(api), 'readinessProbe.exec.command').join(' ')).toMatch(/\/readyz.*AELAB_API_TOKEN/s);
  });

  it('gives Redis the same redis.conf as docker compose', () => {
    const data = at(resource('ConfigMap', 'aelab-redis-conf'), 'data') as Node;
    expect(data['redis.conf']).toBe(read('infra/redis/redis.conf'));
  });
});

describe('redis.conf', () => {
  const directives = new Map(
    read('infra/redis/redis.conf')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.split(/\s+/)[0], line.split(/\s+/).slice(1).join(' ')] as const),
  );

  it('never evicts BullMQ keys and keeps the queue across restarts', () => {
    expect(directives.get('maxmemory-policy')).toBe('noeviction');
    expect(directives.get('appendonly')).toBe('yes');
    expect(directives.get('appendfsync')).toBe('everysec');
    expect(directives.get('dir')).toBe('/data');
  });
});

describe('docker-compose.yml', () => {
  const compose = load(read('docker-compose.yml'));
  const service = (name: string) => at(compose, `services.${name}`);
  const volumeTarget = (name: string, volume: string) =>
    list(service(name), 'volumes')
      .map(String)
      .find((v) => v.split(':')[0] === volume)
      ?.split(':')[1];

  it('shares the storage volume between the API and every worker at AELAB_STORAGE', () => {
    expect(at(compose, 'volumes')).toHaveProperty('storage');
    for (const name of ['api', 'worker-cpu', 'worker-gpu', 'worker-webgpu']) {
      const storage = text(service(name), 'environment.AELAB_STORAGE');
      const target = volumeTarget(name, 'storage');
      expect(target, `${name} mounts the storage volume`).toBeDefined();
      expect(isAtOrUnder(storage, target ?? ''), `${name}: AELAB_STORAGE=${storage} under ${target}`).toBe(true);
      expect(text(service(name), 'environment.REDIS_URL')).toBe('redis://redis:6379');
      expect(text(service(name), 'depends_on.redis.condition')).toBe('service_healthy');
    }
    expect(at(service('worker-cpu'), 'deploy.replicas')).toBe(2);
  });

  it('gives only the GPU worker the gpu label, so CPU workers take unlabelled work only', () => {
    const labelsOf = (name: string) => labelsFromEnv(String((at(service(name), 'environment') as Node).AELAB_WORKER_LABELS ?? ''));
    expect(labelsOf('worker-gpu')).toContain('gpu');
    expect(labelsOf('worker-cpu')).toEqual([]);
    expect(text(service('worker-cpu'), 'environment.AELAB_BACKEND')).not.toBe('tensorflow');
  });

  it('reserves an NVIDIA GPU for the GPU worker and gives workers time to hand jobs back', () => {
    const [device] = list(service('worker-gpu'), 'deploy.resources.reservations.devices');
    expect(text(device, 'driver')).toBe('nvidia');
    expect(list(device, 'capabilities')).toContain('gpu');
    expect(at(device, 'count')).toBe(1);
    for (const name of ['worker-cpu', 'worker-gpu', 'worker-webgpu']) expect(text(service(name), 'stop_grace_period')).toBe('120s');
  });

  it('offers the webgpu worker as an opt-in profile with an NVIDIA GPU and its graphics capability', () => {
    expect(list(service('worker-webgpu'), 'profiles')).toEqual(['webgpu']);
    expect(text(service('worker-webgpu'), 'environment.AELAB_BACKEND')).toBe('webgpu');
    expect(text(service('worker-webgpu'), 'environment.NVIDIA_DRIVER_CAPABILITIES').split(',')).toEqual(expect.arrayContaining(['compute', 'graphics', 'utility']));
    const [device] = list(service('worker-webgpu'), 'deploy.resources.reservations.devices');
    expect(text(device, 'driver')).toBe('nvidia');
    expect(list(device, 'capabilities')).toEqual(expect.arrayContaining(['gpu', 'graphics']));
  });

  it('starts Redis with the mounted redis.conf and a persistent /data', () => {
    const command = list(service('redis'), 'command').map(String);
    const confPath = command[1];
    expect(command[0]).toBe('redis-server');
    expect(volumeTarget('redis', './infra/redis/redis.conf')).toBe(confPath);
    expect(volumeTarget('redis', 'redis-data')).toBe('/data');
    expect(at(compose, 'volumes')).toHaveProperty('redis-data');
  });

  it('takes the API token from the environment and builds each image from its Dockerfile', () => {
    expect(text(service('api'), 'environment.AELAB_API_TOKEN')).toMatch(/^\$\{AELAB_API_TOKEN/);
    for (const [name, dockerfile] of [['api', 'api'], ['worker-cpu', 'worker-cpu'], ['worker-gpu', 'worker-gpu'], ['worker-webgpu', 'worker-webgpu']]) {
      const path = text(service(name), 'build.dockerfile');
      expect(path).toBe(`infra/docker/${dockerfile}.Dockerfile`);
      expect(() => read(path)).not.toThrow();
    }
  });
});

describe('Dockerfiles', () => {
  const lastFrom = (dockerfile: string) => [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].at(-1)?.[1] ?? '';

  it('builds the GPU worker on CUDA 11.2 + cuDNN 8 with tfjs-node-gpu and the tensorflow backend', () => {
    const dockerfile = read('infra/docker/worker-gpu.Dockerfile');
    expect(lastFrom(dockerfile)).toContain('cuda:11.2');
    expect(lastFrom(dockerfile)).toContain('cudnn8');
    expect(dockerfile).toMatch(/^RUN[^]*npm install[^\n]*@tensorflow\/tfjs-node-gpu@4\.22\.0/m);
    expect(dockerfile).toMatch(/AELAB_BACKEND=tensorflow/);
  });

  it('builds the webgpu worker with the Vulkan loader, an NVIDIA ICD manifest and the webgpu backend, without CUDA', () => {
    const dockerfile = read('infra/docker/worker-webgpu.Dockerfile');
    expect(lastFrom(dockerfile)).not.toContain('cuda');
    expect(dockerfile).toMatch(/apt-get install[^\n]*libvulkan1/);
    expect(dockerfile).toMatch(/\/etc\/vulkan\/icd\.d\/nvidia_icd\.json/);
    expect(dockerfile).toMatch(/NVIDIA_DRIVER_CAPABILITIES=compute,graphics,utility/);
    expect(dockerfile).toMatch(/AELAB_BACKEND=webgpu/);
  });

  it('runs every image as a non-root user on the compiled JavaScript of npm run build', () => {
    const commands = { api: 'apps/api/main.js', 'worker-cpu': 'apps/worker/main.js', 'worker-gpu': 'apps/worker/main.js', 'worker-webgpu': 'apps/worker/main.js' };
    for (const [name, entry] of Object.entries(commands)) {
      const dockerfile = read(`infra/docker/${name}.Dockerfile`);
      expect(dockerfile, name).toMatch(/^USER (?!root)\S+/m);
      expect(dockerfile, name).toMatch(/^RUN node bin\/build-js\.mjs$/m);
      expect(dockerfile, name).toContain(`CMD ["node", "build/js/${entry}"]`);
      expect(dockerfile, name).toMatch(/npm ci --omit=dev/);
    }
  });

  it('keeps node_modules, var and .git out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'var', '.git']));
  });
});
