import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useAelabStack } from '../support/use-aelab-stack.ts';

/** Sends raw bytes to the API and returns the whole answer (the server closes the connection). */
function rawExchange(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('what the API process refuses before routing', () => {
  const stack = useAelabStack({ label: 'e2e-limits', workers: 0 });

  it('headers over 16 KiB: 431 with a JSON error, and the API keeps answering', async () => {
    const answer = await fetch(`${stack().baseUrl}/api/v1/runs`, { headers: { 'x-padding': 'a'.repeat(20_000) } });
    expect(answer.status).toBe(431);
    expect(await answer.json()).toEqual({ error: 'headers: larger than the 16 KiB limit', field: 'headers' });
    expect((await fetch(`${stack().baseUrl}/healthz`)).status).toBe(200);
  });

  it('bytes that are not HTTP: 400 with a JSON error', async () => {
    const answer = await rawExchange(stack().baseUrl, 'HELLO THERE\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'request: not valid HTTP', field: 'request' });
  });
});
