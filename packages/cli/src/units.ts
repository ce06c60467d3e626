/** Sizes and durations as people type them ("8MiB", "15m"), and bytes as people read them. */
import { CliError, ExitCode } from './exit-codes.js';

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1000, kib: 1024,
  m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3,
};

/** "8MiB", "5M" (binary), "5MB" (decimal), "1048576" -> bytes. */
export function parseSize(text: string, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new CliError(ExitCode.USAGE, `${option} ${JSON.stringify(text)} is not a size.`, 'Use bytes or a unit, e.g. 8MiB, 5M, 1048576.');
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new CliError(ExitCode.USAGE, `${option} must be above 0.`);
  return bytes;
}

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** "3600", "90s", "15m", "12h", "7d" -> seconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text);
  if (!match) {
    throw new CliError(ExitCode.USAGE, `${option} ${JSON.stringify(text)} is not a duration.`, 'Use seconds or a unit, e.g. 3600, 90s, 15m, 12h, 7d.');
  }
  const seconds = Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!;
  if (seconds <= 0) throw new CliError(ExitCode.USAGE, `${option} must be at least 1 second.`);
  return seconds;
}

export function parsePositiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new CliError(ExitCode.USAGE, `${option} must be a whole number above 0 (got ${JSON.stringify(text)}).`);
  }
  return n;
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds left at the current speed, as "42s", "3m05s", "1h02m"; "--" when unknown. */
export function formatEta(remainingBytes: number, bytesPerSecond: number): string {
  if (remainingBytes <= 0) return '0s';
  if (!(bytesPerSecond > 0)) return '--';
  const s = Math.ceil(remainingBytes / bytesPerSecond);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 360000) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return '--';
}
