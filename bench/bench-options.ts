import { InvalidArgumentError } from 'commander';

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
