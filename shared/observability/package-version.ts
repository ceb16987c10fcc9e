import { createRequire } from 'node:module';

/** aelab's version from package.json, recorded in run.json and the OpenAPI document. */
export const PACKAGE_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
