import { folderKeys } from '../storage/folder-keys.ts';

/** Storage keys of a suite: `reproductions/<name>/`. */
export const suitePaths = (name: string) =>
  folderKeys(`reproductions/${name}`, {
    /** What was submitted: the methods, seeds and the run id of each. */
    record: 'suite.json',
    tableJson: 'table.json',
    tableMarkdown: 'table.md',
    tableCsv: 'table.csv',
  });
