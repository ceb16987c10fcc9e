import { Router } from 'express';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { findKeyPosition } from '../../../shared/config/key-line-map.ts';
import { resolveConfigPath, shownConfigPath } from '../../../shared/config/load-experiment-config.ts';
import { suiteSubmissionSchema } from '../../../shared/contracts/suite-submission.ts';
import { missingDataProblems } from '../../../shared/suite/suite-data-check.ts';
import { apiUserOf } from '../bearer-auth.ts';
import type { SuiteReproduction } from '../../../shared/suite/suite-reproduction.ts';
import { loadSuiteSpecFile, parseSuiteSpec, SUITE_NAME, type ParsedSuite } from '../../../shared/suite/suite-spec.ts';
import { configHttpError, HttpError } from '../http-error.ts';
import { jsonBodyOf, parseOr400 } from '../zod-http.ts';

export interface SuitesRouterDeps {
  reproduction: SuiteReproduction;
  configsDir: string;
  /** Where the workers find the datasets configs name (`AELAB_DATA_ROOT`), checked before anything is queued. */
  dataRoot: string;
}

/** `/api/v1/suites`: submit a suite of configs × seeds, follow it to its table. */
export function suitesRouter(deps: SuitesRouterDeps): Router {
  const router = Router();

  router.post('/', async (request, response) => {
    const body = parseOr400(suiteSubmissionSchema, jsonBodyOf(request), 'body');
    const suite = await validSuite(body);
    const submission = await deps.reproduction.submit(suite, apiUserOf(response));
    response.status(submission.created.length + submission.resumed.length > 0 ? 202 : 200).location(`/api/v1/suites/${suite.spec.name}`).json(submission);
  });

  router.get('/:name', async (request, response) => {
    const name = request.params.name;
    const view = SUITE_NAME.test(name) ? await deps.reproduction.progress(name) : null;
    if (view === null) throw new HttpError(404, `suite ${name} not found`);
    response.json(view);
  });

  /** The suite parsed, its configs loaded and its data found, or a 400 naming source, line and key. */
  async function validSuite(body: { configPath?: string; suite?: string | Record<string, unknown>; source?: string }): Promise<ParsedSuite> {
    let source = body.source ?? 'request body "suite"';
    try {
      let suite: ParsedSuite;
      if (body.configPath !== undefined) {
        const file = resolveConfigPath(deps.configsDir, body.configPath);
        source = shownConfigPath(deps.configsDir, file);
        suite = loadSuiteSpecFile(file, source, deps.configsDir);
      } else {
        suite = parseSuiteSpec(body.suite, source, deps.configsDir);
      }
      const problems = await missingDataProblems(suite, deps.dataRoot);
      if (problems.length > 0) throw new ConfigError(source, problems.map((problem) => ({ ...problem, ...findKeyPosition(suite.lines, problem.key) })));
      return suite;
    } catch (error) {
      if (error instanceof ConfigError) throw configHttpError(error);
      throw error;
    }
  }

  return router;
}
