/** A thin client of the HTTP API for the CLI: errors come back as one readable line. */
export class ApiClient {
  constructor(
    readonly baseUrl: string = process.env.AELAB_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`,
    private readonly token: string | undefined = process.env.AELAB_API_TOKEN,
  ) {}

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** A text answer (markdown, CSV) as it is. */
  async getText(path: string): Promise<string> {
    const answer = await this.request<unknown>('GET', path);
    return typeof answer === 'string' ? answer : JSON.stringify(answer, null, 2);
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new CliError(`cannot reach the aelab API at ${this.baseUrl}: start it with "npm run api" or set AELAB_API_URL`);
    }
    const text = await response.text();
    const parsed: unknown = text.length > 0 ? safeJson(text) : null;
    if (!response.ok) {
      const message = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? String((parsed as { error: unknown }).error) : text;
      throw new CliError(`${method} ${path} → ${response.status}: ${message}`);
    }
    return parsed as T;
  }
}

/** An error the CLI prints as one line, without a stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
