import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactNotFoundError } from '../../../shared/storage/artifact-store.ts';
import { LocalArtifactStore } from '../../../shared/storage/local-artifact-store.ts';
import { StorageWriteError } from '../../../shared/storage/storage-write-error.ts';
import { makeReadOnly } from '../../support/read-only-folder.ts';
import { mountTinyDisk } from '../../support/tiny-disk.ts';

describe('LocalArtifactStore', () => {
  let root: string;
  let store: LocalArtifactStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aelab-store-'));
    store = new LocalArtifactStore(join(root, 'storage'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a reader never sees a half-written object while it is overwritten', async () => {
    const versions = [Buffer.alloc(4 << 20, 1), Buffer.alloc(4 << 20, 2), Buffer.alloc(4 << 20, 3)];
    await store.write('runs/a/blob.bin', versions[0]);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 15; i += 1) await store.write('runs/a/blob.bin', versions[i % 3]);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const seen = await store.read('runs/a/blob.bin');
      expect(seen.length).toBe(4 << 20);
      expect(seen.every((byte) => byte === seen[0])).toBe(true);
      reads += 1;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
  });

  it('a process killed in the middle of writes leaves the last complete version', async () => {
    await store.write('runs/a/state.json', JSON.stringify({ version: 0, pad: 'x'.repeat(1 << 20) }));
    const script = `
      import { LocalArtifactStore } from ${JSON.stringify(join(process.cwd(), 'shared/storage/local-artifact-store.ts'))};
      const store = new LocalArtifactStore(${JSON.stringify(join(root, 'storage'))});
      for (let v = 1; ; v += 1) {
        await store.write('runs/a/state.json', JSON.stringify({ version: v, pad: 'x'.repeat(1 << 20) }));
        if (v === 3) process.stdout.write('writing\\n');
      }`;
    const scriptFile = join(root, 'writer.mts');
    await writeFile(scriptFile, script);
    const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early with code ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const state = JSON.parse(await store.readText('runs/a/state.json')) as { version: number; pad: string };
    expect(state.version).toBeGreaterThanOrEqual(3);
    expect(state.pad.length).toBe(1 << 20);
    expect(await store.list('runs/a')).toEqual(['state.json']);
  });

  it('switches an alias between complete folders in one step', async () => {
    await store.write('runs/a/checkpoints/v1/weights.bin', 'one');
    await store.pointTo('runs/a/checkpoints/latest', 'runs/a/checkpoints/v1');
    expect(await store.readText('runs/a/checkpoints/latest/weights.bin')).toBe('one');
    await store.write('runs/a/checkpoints/v2/weights.bin', 'two');
    await store.pointTo('runs/a/checkpoints/latest', 'runs/a/checkpoints/v2');
    expect(await store.resolveAlias('runs/a/checkpoints/latest')).toBe('runs/a/checkpoints/v2');
    expect(await store.readText('runs/a/checkpoints/latest/weights.bin')).toBe('two');
    expect(await store.resolveAlias('runs/a/checkpoints/best')).toBeNull();
  });

  it('keeps every line of concurrent appends whole', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ epoch: i, pad: 'y'.repeat(500) }));
    await Promise.all(lines.map((line) => store.appendLine('runs/a/metrics.jsonl', line)));
    const stored = (await store.readText('runs/a/metrics.jsonl')).trim().split('\n');
    expect(stored.map((line) => (JSON.parse(line) as { epoch: number }).epoch).sort((a, b) => a - b)).toEqual(lines.map((_, i) => i));
  });

  it('refuses keys and links that lead outside the store', async () => {
    await expect(store.write('../escape.txt', 'x')).rejects.toThrow(/invalid artifact key/);
    await expect(store.write('/etc/escape', 'x')).rejects.toThrow(/absolute/);
    expect(await store.safeLocalPath('runs/../../etc/passwd')).toBeNull();
    await store.write('runs/a/ok.txt', 'fine');
    await symlink('/etc/passwd', join(root, 'storage', 'runs', 'a', 'leak'));
    expect(await store.safeLocalPath('runs/a/leak')).toBeNull();
    expect(await store.safeLocalPath('runs/a/ok.txt')).toBe(join(root, 'storage', 'runs', 'a', 'ok.txt'));
  });

  it('says which artifact is missing', async () => {
    await expect(store.read('runs/nope/run.json')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.read('runs/nope/run.json')).rejects.toThrow('runs/nope/run.json');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('LocalArtifactStore on storage that refuses writes', () => {
  let root: string;
  let undo: (() => Promise<void>) | null = null;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aelab-store-ro-'));
  });
  afterEach(async () => {
    await undo?.();
    undo = null;
    await rm(root, { recursive: true, force: true });
  });

  it('a write fails with the path and the reason (not ENOENT), and what was there stays readable', async (context) => {
    const store = new LocalArtifactStore(root);
    await store.write('runs/a/checkpoints/latest-1/state.json', '{"epoch":1}');
    undo = await makeReadOnly(join(root, 'runs/a/checkpoints'));
    if (undo === null) return context.skip('this machine can make no folder read-only (root without the right to mount)');

    const refused = store.write('runs/a/checkpoints/latest-2/state.json', '{"epoch":2}');
    await expect(refused).rejects.toThrow(StorageWriteError);
    await expect(refused).rejects.toThrow(new RegExp(`storage refused a write to ${join(root, 'runs/a/checkpoints/latest-2')}.*: (EROFS|EACCES)`));
    await expect(store.appendLine('runs/a/checkpoints/log.jsonl', '{}')).rejects.toThrow(/storage refused a write to .*log\.jsonl/);
    await expect(store.pointTo('runs/a/checkpoints/latest', 'runs/a/checkpoints/latest-1')).rejects.toThrow(StorageWriteError);
    expect(await store.readText('runs/a/checkpoints/latest-1/state.json')).toBe('{"epoch":1}');
  });
});

describe('LocalArtifactStore on a full disk', () => {
  it('a write that does not fit fails naming the path and ENOSPC, and the previous version stays whole', async (context) => {
    const root = await mkdtemp(join(tmpdir(), 'aelab-store-full-'));
    const undo = mountTinyDisk(root, 64);
    try {
      if (undo === null) return context.skip('mounting a tmpfs needs root and the right to mount');
      const store = new LocalArtifactStore(root);
      await store.write('runs/a/checkpoints/latest-1/weights.safetensors', Buffer.alloc(16 << 10, 7));
      const refused = store.write('runs/a/checkpoints/latest-2/weights.safetensors', Buffer.alloc(128 << 10, 8));
      await expect(refused).rejects.toThrow(StorageWriteError);
      await expect(refused).rejects.toThrow(/storage refused a write to .*latest-2\/weights\.safetensors: ENOSPC \(no space left on the device\)/);
      expect(await store.read('runs/a/checkpoints/latest-1/weights.safetensors')).toEqual(Buffer.alloc(16 << 10, 7));
      // The half-written temporary file is not left to fill the disk.
      expect(await readdir(join(root, 'runs/a/checkpoints/latest-2'))).toEqual([]);
    } finally {
      await undo?.();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('LocalArtifactStore with stray files', () => {
  it('a file where a folder is expected reads as missing, not as an error', async () => {
    const root = await mkdtemp(join(tmpdir(), 'aelab-store-stray-'));
    try {
      const store = new LocalArtifactStore(root);
      await store.write('runs/README', 'notes of the lab');
      expect(await store.list('runs/README')).toEqual([]);
      await expect(store.readText('runs/README/run.json')).rejects.toThrow(ArtifactNotFoundError);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
