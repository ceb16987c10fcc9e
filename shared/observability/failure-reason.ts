import { ConfigError } from '../config/config-error.ts';
import { TrainingDivergedError } from '../ml/training/training-diverged-error.ts';
import { LeaseLostError } from '../storage/storage-lease.ts';
import { systemErrorCode } from '../errors/system-error-code.ts';

/** Why a job failed, as the `reason` label of `aelab_job_failures_total`: a short, closed set. */
export const FAILURE_REASONS = ['config', 'diverged', 'storage', 'lease_lost', 'crashed', 'error'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const STORAGE_ERROR_CODES = new Set(['EROFS', 'ENOSPC', 'EACCES', 'EPERM', 'EDQUOT', 'EIO']);

/** Classifies an error where it happened (the training child knows its type). */
export function classifyFailure(error: unknown): FailureReason {
  if (error instanceof ConfigError) return 'config';
  if (error instanceof TrainingDivergedError) return 'diverged';
  if (error instanceof LeaseLostError) return 'lease_lost';
  if (STORAGE_ERROR_CODES.has(systemErrorCode(error) ?? '')) return 'storage';
  return 'error';
}

/** Carries a reason across the processor boundary to the worker's `failed` event. */
export function tagFailure<E extends Error>(error: E, reason: FailureReason): E {
  return Object.assign(error, { failureReason: reason });
}

export function failureReasonOf(error: unknown): FailureReason {
  if (typeof error === 'object' && error !== null && 'failureReason' in error) {
    const reason = (error as { failureReason: unknown }).failureReason;
    if (typeof reason === 'string' && (FAILURE_REASONS as readonly string[]).includes(reason)) return reason as FailureReason;
  }
  return classifyFailure(error);
}
