import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Router, type Response } from 'express';

const WEB_ROOT = fileURLToPath(new URL('../web', import.meta.url));

/** Paths the browser may open directly (bookmarks, reloads): each is the same page, routed in the browser. */
export const WEB_UI_PAGES = ['/', '/runs', '/runs/:id', '/sweeps', '/sweeps/:id', '/compare'];

// ECharts sets inline styles on the elements it creates; scripts come from this origin only.
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";

/**
 * The web UI: one HTML page and one script bundle, served by the API so that it shares its
 * origin and tokens. The page and bundle carry no data; everything comes from `/api/v1`
 * with the session cookie, so they are served before the token check (the login form is
 * part of them). The bundle is built from apps/web by esbuild on first request and kept
 * in memory: no build step to forget, and API processes that never serve the UI never pay for it.
 */
export function webUiRouter(): Router {
  const router = Router();
  let bundle: Promise<string> | null = null;
  const page = readFile(join(WEB_ROOT, 'index.html'), 'utf8');
  page.catch(() => undefined);

  router.get(WEB_UI_PAGES, async (_request, response) => {
    secure(response).type('html').setHeader('Cache-Control', 'no-cache');
    response.send(await page);
  });
  router.get('/ui/app.js', async (_request, response) => {
    bundle ??= bundleScript().catch((error: unknown) => {
      bundle = null;
      throw error;
    });
    secure(response).type('js').setHeader('Cache-Control', 'no-cache');
    response.send(await bundle);
  });
  router.get('/ui/app.css', (_request, response) => {
    secure(response).setHeader('Cache-Control', 'no-cache');
    response.sendFile(join(WEB_ROOT, 'styles.css'));
  });
  return router;
}

function secure(response: Response): Response {
  return response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY).setHeader('X-Content-Type-Options', 'nosniff');
}

async function bundleScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(WEB_ROOT, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
