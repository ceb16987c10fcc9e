import { selectBackend } from '../../../../../shared/ml/backend/select-backend.ts';

/** The pure-JS backend the tests train on, set up as the worker sets it up. */
export async function useCpuBackend(): Promise<void> {
  await selectBackend('cpu');
}
