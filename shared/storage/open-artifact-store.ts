import type { ArtifactStore } from './artifact-store.ts';
import { LocalArtifactStore } from './local-artifact-store.ts';

/** The default storage directory when `AELAB_STORAGE` is unset. */
export const DEFAULT_STORAGE = './var/aelab';

/**
 * Opens the store named by `AELAB_STORAGE`: a directory (local or an NFS mount shared
 * by every worker). `s3://` locations are refused with a message until the S3 store exists.
 */
export function openArtifactStore(location: string = process.env.AELAB_STORAGE ?? DEFAULT_STORAGE): ArtifactStore {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new Error(
      `AELAB_STORAGE=${location}: only directories (local or NFS) are supported in this version; mount the bucket or use a shared directory`,
    );
  }
  return new LocalArtifactStore(location);
}
