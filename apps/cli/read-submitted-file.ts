import { readFile } from 'node:fs/promises';
import { CliError } from './api-client.ts';

/** The text of a YAML file the user submits; one that cannot be read is a CliError naming it as a `what` file. */
export async function readSubmittedFile(file: string, what: 'config' | 'suite' | 'sweep'): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new CliError(`cannot read ${what} file ${file}`);
  }
}
