import { systemErrorCode } from '../errors/system-error-code.ts';

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * True for the errors ioredis and BullMQ give while Redis cannot be reached: a socket
 * error, a closed connection, or a command refused because the offline queue is off or
 * its retries ran out.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (CONNECTION_ERROR_CODES.has(systemErrorCode(error) ?? '')) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /Stream isn't writeable|ECONNREFUSED|Connection is closed|enableOfflineQueue|ETIMEDOUT|MaxRetriesPerRequest/i.test(message);
}
