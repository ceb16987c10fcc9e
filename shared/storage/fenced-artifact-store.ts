import type { ArtifactStore } from './artifact-store.ts';
import type { StorageLease } from './storage-lease.ts';

/**
 * A store whose every change is refused (`LeaseLostError`) once `lease` has been taken by
 * another process. Code that writes through it (an evaluation, a sweep controller pass)
 * needs no fencing of its own; reads go through unchecked.
 */
export class FencedArtifactStore implements ArtifactStore {
  constructor(
    private readonly inner: ArtifactStore,
    private readonly lease: StorageLease,
  ) {}

  get location(): string {
    return this.inner.location;
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    await this.lease.assertHeld();
    await this.inner.write(key, data);
  }

  async appendLine(key: string, line: string): Promise<void> {
    await this.lease.assertHeld();
    await this.inner.appendLine(key, line);
  }

  async remove(key: string): Promise<void> {
    await this.lease.assertHeld();
    await this.inner.remove(key);
  }

  async pointTo(alias: string, target: string): Promise<void> {
    await this.lease.assertHeld();
    await this.inner.pointTo(alias, target);
  }

  read(key: string): Promise<Buffer> {
    return this.inner.read(key);
  }

  readText(key: string): Promise<string> {
    return this.inner.readText(key);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  resolveAlias(alias: string): Promise<string | null> {
    return this.inner.resolveAlias(alias);
  }

  safeLocalPath(key: string): Promise<string | null> {
    return this.inner.safeLocalPath(key);
  }

  checkWritable(): Promise<void> {
    return this.inner.checkWritable();
  }
}
