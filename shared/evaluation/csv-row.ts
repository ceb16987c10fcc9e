/** One CSV line: cells holding a quote, comma or newline are quoted, quotes doubled. */
export function csvRow(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}
