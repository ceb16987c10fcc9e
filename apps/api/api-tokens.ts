import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { systemErrorCode } from '../../shared/errors/system-error-code.ts';

export type ApiRole = 'read' | 'write';

/** A token the API accepts. `name` says which one in messages; the token itself is never shown. */
export interface ApiToken {
  name: string;
  role: ApiRole;
  token: string;
}

const API_TOKENS_FILE_VARIABLE = 'AELAB_API_TOKENS_FILE';
const MIN_TOKEN_LENGTH = 16;

/** A token file the API refuses to start with; the message names the file and line, never a token. */
export class ApiTokensFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiTokensFileError';
  }
}

// Messages are fixed strings: a value put in the wrong column could be a token, so none is echoed.
const tokenLine = z.object({
  role: z.enum(['read', 'write'], { error: 'the role (first field) must be "read" or "write"' }),
  token: z
    .string()
    .min(MIN_TOKEN_LENGTH, { error: `the token (second field) is shorter than ${MIN_TOKEN_LENGTH} characters` })
    .regex(/^[\x21-\x7e]+$/, { error: 'the token (second field) must be printable ASCII' }),
  name: z
    .string()
    .max(64, { error: 'the name (third field) is longer than 64 characters' })
    .regex(/^[A-Za-z0-9._@-]+$/, { error: 'the name (third field) may hold only letters, digits and . _ @ -' })
    .optional(),
});

/**
 * Parses a token file: one token a line, `role token [name]` separated by spaces or tabs,
 * with `#` comments and blank lines ignored. `source` names the file in error messages.
 */
export function parseApiTokens(text: string, source: string): ApiToken[] {
  const tokens: ApiToken[] = [];
  const lineOfToken = new Map<string, number>();
  const lineOfName = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line.length === 0) return;
    const fail = (message: string): never => {
      throw new ApiTokensFileError(`${source} line ${lineNumber}: ${message}`);
    };
    const fields = line.split(/\s+/);
    if (fields.length < 2 || fields.length > 3) fail(`expected "role token [name]", found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    const parsed = tokenLine.safeParse({ role: fields[0], token: fields[1], name: fields[2] });
    if (!parsed.success) return fail(parsed.error.issues[0]?.message ?? 'invalid line');
    const name = parsed.data.name ?? `line-${lineNumber}`;
    const sameToken = lineOfToken.get(parsed.data.token);
    if (sameToken !== undefined) fail(`the same token as line ${sameToken}`);
    const sameName = lineOfName.get(name);
    if (sameName !== undefined) fail(`the name "${name}" is already used on line ${sameName}`);
    lineOfToken.set(parsed.data.token, lineNumber);
    lineOfName.set(name, lineNumber);
    tokens.push({ name, role: parsed.data.role, token: parsed.data.token });
  });
  if (tokens.length === 0) throw new ApiTokensFileError(`${source}: no tokens in it; expected lines "role token [name]" with role read or write`);
  return tokens;
}

/** The tokens of `AELAB_API_TOKENS_FILE` (none when it is unset). */
export async function readApiTokensFile(path: string | undefined): Promise<ApiToken[]> {
  if (path === undefined || path.length === 0) return [];
  const source = `${API_TOKENS_FILE_VARIABLE}=${path}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = systemErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
    throw new ApiTokensFileError(`${source}: cannot read it (${code})`);
  }
  return parseApiTokens(text, source);
}

/** `AELAB_API_TOKEN` (one write token) together with the file's tokens. */
export function allApiTokens(environmentToken: string | undefined, fileTokens: readonly ApiToken[]): ApiToken[] {
  const fromEnvironment: ApiToken[] = environmentToken ? [{ name: 'AELAB_API_TOKEN', role: 'write', token: environmentToken }] : [];
  return [...fromEnvironment, ...fileTokens];
}
