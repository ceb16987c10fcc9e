import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS_DOC = 'docs/models.md';
const DOCUMENTS = ['docs/architecture.md', MODELS_DOC];
/** Where citations of docs/models.md can be: the project's code, tests, configs and docs. */
const CITING_ROOTS = ['apps', 'shared', 'test', 'bench', 'configs', 'infra', 'docs', 'README.md'];
const TEXT_FILE = /\.(ts|mjs|md|ya?ml)$/;

const read = (relative: string): string => readFileSync(path.join(repoRoot, relative), 'utf8');

function textFilesUnder(relative: string): string[] {
  const absolute = path.join(repoRoot, relative);
  if (!existsSync(absolute)) return [];
  if (statSync(absolute).isFile()) return [relative];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .filter((file) => TEXT_FILE.test(file) && !file.split(path.sep).includes('node_modules'))
    .map((file) => path.join(relative, file));
}

/** `## 13. Data` → 13, `### 13.3 Downstream …` → 13.3. */
function sectionNumbers(markdown: string): Set<string> {
  const numbers = [...markdown.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((match) => match[1]);
  return new Set(numbers);
}

describe('the project documents', () => {
  it.each(DOCUMENTS)('every repository path %s names exists', (document) => {
    const named = [...read(document).matchAll(/`((?:apps|shared|test|bench|configs|infra|docs|bin)\/[^`\s*<>]+)`/g)].map(
      (match) => match[1],
    );
    expect(named.length).toBeGreaterThan(0);
    const missing = named.filter((relative) => !existsSync(path.join(repoRoot, relative)));
    expect(missing).toEqual([]);
  });

  it('every section number cited next to docs/models.md is a section of it', () => {
    const sections = sectionNumbers(read(MODELS_DOC));
    const citing = CITING_ROOTS.flatMap(textFilesUnder).filter((file) => file === MODELS_DOC || read(file).includes(MODELS_DOC));
    expect(citing.length).toBeGreaterThan(1);
    const unknown = citing.flatMap((file) =>
      [...read(file).matchAll(/§(\d+(?:\.\d+)?)/g)].map((match) => match[1]).filter((number) => !sections.has(number)).map((number) => `${file}: §${number}`),
    );
    expect(unknown).toEqual([]);
  });

  it('models.md keeps the numbering 1 to 17 of its top-level sections', () => {
    const topLevel = [...read(MODELS_DOC).matchAll(/^## (\d+)\. /gm)].map((match) => Number(match[1]));
    expect(topLevel).toEqual(Array.from({ length: 17 }, (_, index) => index + 1));
  });
});
