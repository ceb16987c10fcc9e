/** Storage keys of a suite: `reproductions/<name>/`. */
export const suitePaths = (name: string) => {
  const root = `reproductions/${name}`;
  return {
    root,
    /** What was submitted: the methods, seeds and the run id of each. */
    record: `${root}/suite.json`,
    tableJson: `${root}/table.json`,
    tableMarkdown: `${root}/table.md`,
    tableCsv: `${root}/table.csv`,
  } as const;
};
