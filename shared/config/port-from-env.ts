/** A TCP port from the environment variable `name`, or null when it is unset or empty. */
export function portFromEnv(name: string): number | null {
  const written = process.env[name];
  if (written === undefined || written === '') return null;
  const port = Number(written);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}=${written}: expected a port number (0 to 65535)`);
  return port;
}
