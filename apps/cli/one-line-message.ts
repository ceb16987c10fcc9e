/**
 * An error's message on one line, for the CLI's `aelab: <message>`: multi-line messages
 * (a state_dict mismatch or a config with several problems lists one per line) are
 * joined with "; ".
 */
export function oneLineMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('; ')
    .replaceAll(':;', ':');
}
