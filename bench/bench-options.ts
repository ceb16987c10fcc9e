import { type Command, InvalidArgumentError } from 'commander';

/** Parsers of the benchmarks' command-line values; each names the bad value. */
export function positiveInt(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`expected a positive integer, got "${text}"`);
  return value;
}

export function nonNegativeInt(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${text}"`);
  return value;
}

export function positiveIntList(text: string): number[] {
  return text.split(',').map((part) => positiveInt(part.trim()));
}

export function nameList(text: string): string[] {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

/** How long a benchmark measures each case: timed steps (the median is reported) after untimed ones, within a budget. */
export interface StepBudget {
  /** Timed steps per case; default 5. */
  steps: number;
  /** Untimed steps first; default 1. */
  warmup: number;
  /** Step budget per case in seconds; default 600: a case whose first step exceeds it is skipped. */
  maxSecondsPerCase: number;
}

/** Adds --steps, --warmup and --max-seconds-per-case (see StepBudget); `per` says what one budget covers. */
export function addStepBudgetOptions(command: Command, per: string): Command {
  return command
    .option('--steps <n>', `timed steps per ${per} (the median is reported)`, positiveInt, 5)
    .option('--warmup <n>', 'untimed steps before the timed ones', nonNegativeInt, 1)
    .option('--max-seconds-per-case <s>', `step budget per ${per}: a case whose first step exceeds it is skipped`, positiveInt, 600);
}
