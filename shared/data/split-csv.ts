import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { systemErrorCode } from '../errors/system-error-code.ts';

/**
 * A split CSV in the official format (docs/models.md §13.1): a header row with a
 * `filename` column, then one image path per row; CRLF or LF line endings; paths
 * relative to the data root (absolute paths are taken as they are). Blank lines are
 * skipped. Other columns are allowed and ignored.
 */
export interface SplitCsvRow {
  /** The resolved path of the CSV this row is in. */
  csv: string;
  /** The path as written in the CSV: the image's name in score tables. */
  path: string;
  /** The path resolved against the data root. */
  file: string;
  /** 1-based number of the data row (the header is not counted, blank lines are not counted). */
  row: number;
  /** 1-based line number in the file (the header is line 1). */
  line: number;
}

export interface SplitCsv {
  /** The CSV's resolved path. */
  csv: string;
  rows: SplitCsvRow[];
}

/** Reads and parses a split CSV; `csvPath` is relative to `dataRoot` unless absolute. */
export async function readSplitCsv(csvPath: string, dataRoot: string): Promise<SplitCsv> {
  const csv = resolveUnder(dataRoot, csvPath);
  let text: string;
  try {
    text = await readFile(csv, 'utf8');
  } catch (error) {
    const reason = systemErrorCode(error) === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new Error(`split CSV ${csv}: ${reason} (data root: ${dataRoot})`);
  }
  return { csv, rows: parseSplitCsv(text, csv, dataRoot) };
}

export function parseSplitCsv(text: string, csv: string, dataRoot: string): SplitCsvRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const header = splitCsvLine(lines[0] ?? '', csv, 1).map((field) => field.trim());
  const column = header.indexOf('filename');
  if (column < 0) {
    throw new Error(`split CSV ${csv}: line 1 must be a header with a 'filename' column, found "${lines[0] ?? ''}"`);
  }
  const rows: SplitCsvRow[] = [];
  for (let l = 1; l < lines.length; l++) {
    if (lines[l].trim() === '') continue;
    const line = l + 1;
    const row = rows.length + 1;
    const path = (splitCsvLine(lines[l], csv, line)[column] ?? '').trim();
    if (path === '') throw new Error(`split CSV ${csv}: data row ${row} (line ${line}) has an empty filename`);
    rows.push({ csv, path, file: resolveUnder(dataRoot, path), row, line });
  }
  return rows;
}

/**
 * Checks that every row's file exists and is readable, before any training starts.
 * The error names the CSV, the first missing row and file, and how many more are missing.
 */
export async function assertSplitFilesExist(split: SplitCsv): Promise<void> {
  const missing: SplitCsvRow[] = [];
  const concurrency = 64;
  for (let start = 0; start < split.rows.length; start += concurrency) {
    const chunk = split.rows.slice(start, start + concurrency);
    const found = await Promise.all(
      chunk.map((row) =>
        access(row.file, constants.R_OK).then(
          () => true,
          () => false,
        ),
      ),
    );
    chunk.forEach((row, k) => {
      if (!found[k]) missing.push(row);
    });
  }
  if (missing.length === 0) return;
  const first = missing[0];
  const more = missing.length > 1 ? `; ${missing.length - 1} more row(s) of this CSV name missing files too` : '';
  throw new Error(
    `split CSV ${split.csv}: data row ${first.row} (line ${first.line}): image not found: ${first.path}` +
      (first.path === first.file ? '' : ` (resolved to ${first.file})`) +
      more,
  );
}

function resolveUnder(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

/** Splits one CSV line into fields, honouring double quotes ("" inside quotes is a quote). */
function splitCsvLine(line: string, csv: string, lineNumber: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error(`split CSV ${csv}: line ${lineNumber} has an unclosed quote`);
  fields.push(field);
  return fields;
}
