import { z } from 'zod';
import { RUN_STATUSES } from '../../shared/contracts/run-record.ts';
import { runSubmissionSchema } from '../../shared/contracts/run-submission.ts';
import { RUN_SORT_KEYS } from '../../shared/runs/run-index.ts';

const errorBody = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const runId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** `GET /api/v1/openapi.json`: the API as OpenAPI 3.1, request bodies from the same zod schemas the routes use. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'aelab', version, description: 'Training, sweeping and evaluating anomaly-detection autoencoders through a job queue.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'AELAB_API_TOKEN or a token of AELAB_API_TOKENS_FILE; a read token may only GET (other methods: 403)' } } },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/runs': {
        post: {
          summary: 'Submit a training run',
          requestBody: { required: true, content: json(z.toJSONSchema(runSubmissionSchema, { io: 'input', unrepresentable: 'any' })) },
          responses: { 202: { description: 'queued; body is the run' }, 400: { description: 'bad body or config', content: json(errorBody) }, 503: { description: 'Redis unavailable', content: json(errorBody) } },
        },
        get: {
          summary: 'List runs, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: [...RUN_STATUSES] } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
            { name: 'model', in: 'query', schema: { type: 'string' }, description: 'model registry name' },
            { name: 'q', in: 'query', schema: { type: 'string' }, description: 'text in the id or name (case-insensitive)' },
            { name: 'sort', in: 'query', schema: { type: 'string', enum: [...RUN_SORT_KEYS], default: 'createdAt' } },
            { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' } },
          ],
          responses: { 200: { description: 'a page of runs; with model, q, sort or order also each run\'s dataset and latest AUROC, and the models known' } },
        },
      },
      '/api/v1/runs/{id}': { get: { summary: 'One run with live progress and artifact links', parameters: [runId], responses: { 200: { description: 'the run' }, 404: { description: 'no such run' } } } },
      '/api/v1/runs/{id}/metrics': { get: { summary: 'Per-epoch metrics records', parameters: [runId], responses: { 200: { description: 'the records' } } } },
      '/api/v1/runs/{id}/priority': {
        post: {
          summary: 'Change the priority (high, normal, low) of a waiting run',
          parameters: [runId],
          responses: { 200: { description: 'the run with its new priority' }, 400: { description: 'not a priority' }, 409: { description: 'no longer waiting' } },
        },
      },
      '/api/v1/runs/{id}/cancel': {
        post: { summary: 'Cancel a queued or running run', parameters: [runId], responses: { 200: { description: 'cancelled (was queued)' }, 202: { description: 'cancel requested (running)' }, 409: { description: 'already finished' } } },
      },
      '/api/v1/runs/{id}/artifacts/{path}': {
        get: { summary: "A file (or folder listing) of the run's storage folder", parameters: [runId, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'the file' }, 404: { description: 'not in this run' } } },
      },
      '/api/v1/session': { get: { summary: "The role of the caller's token (bearer or the web UI's cookie)", responses: { 200: { description: '{ role, authRequired }' }, 401: { description: 'no or wrong token' } } } },
      '/ui/session': {
        post: { summary: 'Web UI login: sets the token as an HttpOnly, SameSite=Strict cookie', security: [], responses: { 200: { description: 'logged in; body has the role' }, 401: { description: 'unknown token' } } },
        delete: { summary: 'Web UI logout: clears the cookie', security: [], responses: { 204: { description: 'logged out' } } },
      },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'alive' } } } },
      '/readyz': { get: { summary: 'Readiness: Redis and storage reachable', responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } } },
    },
  };
}
