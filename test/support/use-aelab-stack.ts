import { afterAll, beforeAll } from 'vitest';
import { AelabStack, type StackOptions } from './aelab-stack.ts';

/**
 * An AelabStack for the enclosing describe block: started before its tests, stopped after
 * them even when a test failed. The getter throws until the stack is up.
 */
export function useAelabStack(options: StackOptions): () => AelabStack {
  let stack: AelabStack | undefined;
  beforeAll(async () => {
    stack = await AelabStack.start(options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return () => {
    if (stack === undefined) throw new Error('useAelabStack: the stack starts in beforeAll');
    return stack;
  };
}
