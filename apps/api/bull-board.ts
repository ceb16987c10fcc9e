import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router } from 'express';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over the queues `listQueues` names at each request: the sweep queue and the
 * train and evaluate queues of every requirement set in use, so a queue that appears
 * after the API started (`train@gpu`) shows up without a restart.
 */
export function bullBoardRouter(listQueues: () => Promise<Queue[]>, options: { readOnly: boolean }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'aelab' } } });
  const shown = new Set<string>();
  const router = Router();
  router.use(async (_request, _response, next) => {
    try {
      for (const queue of await listQueues()) {
        if (shown.has(queue.name)) continue;
        board.addQueue(new BullMQAdapter(queue, { readOnlyMode: options.readOnly }));
        shown.add(queue.name);
      }
      next();
    } catch (error) {
      next(error);
    }
  });
  router.use(serverAdapter.getRouter() as Router);
  return router;
}
