import winston from 'winston';

/**
 * JSON logs on stderr (one object per line) for machines; `AELAB_LOG_FORMAT=pretty` for
 * people. Every line carries the process role; callers add runId, jobId, worker.
 */
export function createLogger(role: string, meta: Record<string, string> = {}): winston.Logger {
  const pretty = process.env.AELAB_LOG_FORMAT === 'pretty';
  return winston.createLogger({
    level: process.env.AELAB_LOG_LEVEL ?? 'info',
    defaultMeta: { role, pid: process.pid, ...meta },
    format: pretty
      ? winston.format.combine(winston.format.timestamp(), winston.format.printf(({ timestamp, level, message, role: r, pid, ...rest }) => {
          const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
          return `${String(timestamp)} ${String(r)}[${String(pid)}] ${level}: ${String(message)}${extra}`;
        }))
      : winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] })],
  });
}

export type Logger = winston.Logger;
