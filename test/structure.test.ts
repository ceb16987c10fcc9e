import path from 'node:path';
import { API } from 'typescript/unstable/sync';
import type { Node, SourceFile } from 'typescript/unstable/ast';
import * as is from 'typescript/unstable/ast/is';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The longest function the project allows, in lines (docs/architecture.md, "Layers"). */
const MAX_FUNCTION_LINES = 80;

/**
 * The layers of the code, lowest first (docs/architecture.md, "Layers"): a file may import
 * from its own layer and the ones listed before it, never from a later one. A file belongs
 * to the longest entry its path starts with; the apps are each a top layer of their own.
 */
const LAYERS = [
  'shared/errors',
  'shared/contracts',
  'shared/random',
  'shared/process',
  'shared/config',
  'shared/storage',
  'shared/queue',
  'shared/routing',
  'shared/evaluation/metrics',
  'shared/data',
  'shared/ml',
  'shared/observability',
  'shared/runs',
  'shared/evaluation',
  'shared/experiment',
  'shared/sweep',
  'shared/recovery',
  'shared/suite',
  'apps/api',
  'apps/cli',
  'apps/web',
  'apps/worker',
];
const TOP_LAYER = LAYERS.indexOf('apps/api');

const ROOT = path.resolve('.');

interface ParsedFile {
  /** Path from the repository root. */
  file: string;
  source: SourceFile;
}

let api: API;
let files: ParsedFile[];

beforeAll(() => {
  api = new API({ cwd: ROOT });
  const project = api.updateSnapshot({ openProjects: ['tsconfig.json'] }).getProjects()[0];
  files = project.program
    .getSourceFileNames()
    .map((name) => path.relative(ROOT, name))
    .filter((file) => /^(apps|shared)\//.test(file) && file.endsWith('.ts'))
    .map((file) => ({ file, source: project.program.getSourceFile(path.join(ROOT, file))! }));
});
afterAll(() => api.close());

function visitAll(node: Node, visit: (node: Node) => void): void {
  visit(node);
  node.forEachChild((child) => visitAll(child, visit));
}

function isFunctionWithBody(node: Node): boolean {
  const functionLike =
    is.isFunctionDeclaration(node) ||
    is.isMethodDeclaration(node) ||
    is.isArrowFunction(node) ||
    is.isFunctionExpression(node) ||
    is.isConstructorDeclaration(node) ||
    is.isGetAccessorDeclaration(node) ||
    is.isSetAccessorDeclaration(node);
  return functionLike && (node as { body?: unknown }).body !== undefined;
}

/** Every relative import and re-export of a file, as paths from the repository root. */
function importsOf({ file, source }: ParsedFile): string[] {
  const imported: string[] = [];
  visitAll(source, (node) => {
    if (!is.isImportDeclaration(node) && !is.isExportDeclaration(node)) return;
    const specifier = node.moduleSpecifier;
    if (specifier === undefined || !is.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
    imported.push(path.join(path.dirname(file), specifier.text));
  });
  return imported;
}

function layerOf(file: string): number {
  let best = -1;
  LAYERS.forEach((layer, index) => {
    if ((file.startsWith(`${layer}/`) || file === layer) && (best === -1 || layer.length > LAYERS[best].length)) best = index;
  });
  return best;
}

/** The import circles among `graph`'s files (Tarjan's strongly connected components of two or more files). */
function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) circles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return circles;
}

describe('the shape of apps/ and shared/', () => {
  it(`has no function longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const tooLong: string[] = [];
    for (const { file, source } of files) {
      visitAll(source, (node) => {
        if (!isFunctionWithBody(node)) return;
        const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const lines = source.getLineAndCharacterOfPosition(node.end).line - first + 1;
        if (lines > MAX_FUNCTION_LINES) tooLong.push(`${file}:${first + 1} (${lines} lines)`);
      });
    }
    expect(tooLong).toEqual([]);
  });

  it('puts every file in a layer', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter(({ file }) => layerOf(file) === -1).map(({ file }) => file)).toEqual([]);
  });

  it('imports only from the same or a lower layer, and no app from another app', () => {
    const upward: string[] = [];
    for (const parsed of files) {
      const from = layerOf(parsed.file);
      for (const target of importsOf(parsed)) {
        const to = layerOf(target);
        const crossesApps = from >= TOP_LAYER && to >= TOP_LAYER && from !== to;
        if (to > from || crossesApps) upward.push(`${parsed.file} imports ${target} (${LAYERS[from]} → ${LAYERS[to] ?? 'outside the layers'})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import circle', () => {
    const graph = new Map(files.map((parsed) => [parsed.file, importsOf(parsed)]));
    expect(importCircles(graph)).toEqual([]);
  });
});
