import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { type ComposeFile, dockerfileCommand, localComposeFile } from './local-compose-file.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const commands = { api: ['node', 'api.ts'], 'worker-cpu': ['node', 'worker.ts'], 'worker-gpu': ['node', 'worker.ts'] };
const local = localComposeFile(compose, { repoRoot: '/repo', storageDir: '/tmp/storage', apiPort: 18080, image: 'runtime:local', dockerfileCommands: commands });

describe('docker-compose.yml made local for the routing check (test/infra/compose/compose-routing-check.ts)', () => {
  it('keeps every started service with its replicas and its environment, the GPU worker\'s labels included', () => {
    expect(Object.keys(local.services).sort()).toEqual(['api', 'redis', 'worker-cpu', 'worker-gpu']);
    for (const [name, service] of Object.entries(local.services)) {
      const original = compose.services[name];
      const { AELAB_BACKEND: _backend, ...routingEnv } = original.environment ?? {};
      expect(service.environment, name).toMatchObject(routingEnv);
      expect(service.deploy?.replicas, name).toBe(original.deploy?.replicas);
    }
    expect(local.services['worker-gpu'].environment?.AELAB_WORKER_LABELS).toBe('gpu');
    expect(local.services['worker-cpu'].environment?.AELAB_WORKER_LABELS).toBeUndefined();
  });

  it('changes only what cannot run without a registry or a GPU: images, the storage volume, the API port, the GPU reservation', () => {
    expect(local.services['worker-gpu'].deploy).toEqual({ replicas: 1 });
    expect(local.services['worker-gpu'].environment?.AELAB_BACKEND).toBe('cpu');
    expect(local.services['worker-cpu'].environment?.AELAB_BACKEND).toBe(compose.services['worker-cpu'].environment?.AELAB_BACKEND);
    expect(local.services.api.ports).toEqual(['18080:8080']);
    expect(local.services['worker-cpu'].volumes).toContain('/tmp/storage:/srv/aelab');
    expect(local.services.redis.volumes).toContain('/repo/infra/redis/redis.conf:/usr/local/etc/redis/redis.conf:ro');
    expect(local.services.redis.command).toEqual(compose.services.redis.command);
    expect(local.services['worker-gpu'].command).toEqual(['node', 'worker.ts']);
    expect(Object.values(local.services).every((service) => service.build === undefined && service.image === 'runtime:local')).toBe(true);
    expect(Object.keys(local.volumes ?? {})).toEqual(['redis-data']);
  });

  it('reads each image\'s command from its Dockerfile', () => {
    expect(dockerfileCommand(readFileSync(join(ROOT, 'infra/docker/worker-gpu.Dockerfile'), 'utf8'))).toEqual(['node', 'build/js/apps/worker/main.js']);
  });
});
