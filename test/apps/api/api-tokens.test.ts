import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allApiTokens, ApiTokensFileError, parseApiTokens, readApiTokensFile } from '../../../apps/api/api-tokens.ts';
import { useTempFolder } from '../../support/use-temp-folder.ts';

const WRITE = 'w-0123456789abcdef0123456789abcdef';
const READ = 'r-fedcba9876543210fedcba9876543210';

function parseError(text: string): string {
  try {
    parseApiTokens(text, 'tokens.txt');
  } catch (error) {
    expect(error).toBeInstanceOf(ApiTokensFileError);
    return (error as Error).message;
  }
  throw new Error('expected the token file to be refused');
}

describe('the API token file', () => {
  const folder = useTempFolder('aelab-api-tokens-');

  it('reads "role token [name]" lines, skipping comments and blank lines, naming unnamed tokens by line', () => {
    const text = ['# who may do what', '', `write ${WRITE} ci-bot`, `\tread   ${READ}   # the dashboard`, '   ', `read r-${'x'.repeat(20)}#not-a-comment`].join('\r\n');
    expect(parseApiTokens(text, 'tokens.txt')).toEqual([
      { name: 'ci-bot', role: 'write', token: WRITE },
      { name: 'line-4', role: 'read', token: READ },
      { name: 'line-6', role: 'read', token: `r-${'x'.repeat(20)}#not-a-comment` },
    ]);
  });

  it('names the file and line of a bad field, and never echoes what was there', () => {
    const cases: Array<[string, RegExp]> = [
      [`admin ${WRITE}`, /^tokens\.txt line 2: the role \(first field\) must be "read" or "write"$/],
      [`${WRITE} write`, /^tokens\.txt line 2: the role \(first field\) must be "read" or "write"$/],
      ['read tiny-token', /^tokens\.txt line 2: the token \(second field\) is shorter than 16 characters$/],
      [`read ${'é'.repeat(20)}`, /^tokens\.txt line 2: the token \(second field\) must be printable ASCII$/],
      [`read ${READ} dash/board`, /^tokens\.txt line 2: the name \(third field\) may hold only/],
      [WRITE, /^tokens\.txt line 2: expected "role token \[name\]", found 1 field$/],
      [`read ${READ} board extra`, /^tokens\.txt line 2: expected "role token \[name\]", found 4 fields$/],
    ];
    for (const [line, expected] of cases) {
      const message = parseError(`# header\n${line}\n`);
      expect(message).toMatch(expected);
      for (const secret of [WRITE, READ, 'tiny-token', 'dash/board']) expect(message).not.toContain(secret);
    }
  });

  it('refuses a token or a name used twice, naming both lines', () => {
    expect(parseError(`write ${WRITE} a\nread ${READ} b\nread ${WRITE} c`)).toBe('tokens.txt line 3: the same token as line 1');
    expect(parseError(`write ${WRITE} a\nread ${READ} a`)).toBe('tokens.txt line 2: the name "a" is already used on line 1');
  });

  it('refuses a file without tokens, which would otherwise leave the API open', () => {
    expect(parseError('# nothing yet\n\n')).toMatch(/^tokens\.txt: no tokens in it/);
  });

  it('reads the file named by AELAB_API_TOKENS_FILE, and names variable and path when it cannot', async () => {
    const path = join(folder(), 'tokens');
    await writeFile(path, `read ${READ} viewer\n`);
    expect(await readApiTokensFile(path)).toEqual([{ name: 'viewer', role: 'read', token: READ }]);
    expect(await readApiTokensFile(undefined)).toEqual([]);
    expect(await readApiTokensFile('')).toEqual([]);

    const missing = join(folder(), 'missing');
    await expect(readApiTokensFile(missing)).rejects.toThrow(`AELAB_API_TOKENS_FILE=${missing}: cannot read it (ENOENT)`);
    await writeFile(path, `read ${READ}\nread oops\n`);
    await expect(readApiTokensFile(path)).rejects.toThrow(`AELAB_API_TOKENS_FILE=${path} line 2: the token (second field) is shorter than 16 characters`);
    await expect(readApiTokensFile(folder())).rejects.toThrow(`AELAB_API_TOKENS_FILE=${folder()}: cannot read it (EISDIR)`);
  });

  it('counts AELAB_API_TOKEN as one write token next to the file tokens', () => {
    const fileTokens = [{ name: 'viewer', role: 'read' as const, token: READ }];
    expect(allApiTokens(WRITE, fileTokens)).toEqual([{ name: 'AELAB_API_TOKEN', role: 'write', token: WRITE }, ...fileTokens]);
    expect(allApiTokens(undefined, fileTokens)).toEqual(fileTokens);
    expect(allApiTokens('', [])).toEqual([]);
  });
});
