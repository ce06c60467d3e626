import { formatBytes, formatEta, parseDuration, parsePositiveInt, parseSize } from './units';

test('sizes', () => {
  expect(parseSize('8MiB', '--part-size')).toBe(8 * 1024 * 1024);
  expect(parseSize('5M', '--part-size')).toBe(5 * 1024 * 1024);
  expect(parseSize('5MB', '--part-size')).toBe(5_000_000);
  expect(parseSize('1048576', '--part-size')).toBe(1048576);
  expect(parseSize('1.5 KiB', '--part-size')).toBe(1536);
  expect(() => parseSize('lots', '--part-size')).toThrow('--part-size "lots" is not a size.');
  expect(() => parseSize('0', '--part-size')).toThrow('must be above 0');
});

test('durations', () => {
  expect(parseDuration('3600', '--expires')).toBe(3600);
  expect(parseDuration('15m', '--expires')).toBe(900);
  expect(parseDuration('12h', '--expires')).toBe(43200);
  expect(parseDuration('7d', '--expires')).toBe(604800);
  expect(() => parseDuration('1w', '--expires')).toThrow('is not a duration');
  expect(() => parseDuration('0', '--expires')).toThrow('at least 1 second');
  expect(parsePositiveInt('4', '--concurrency')).toBe(4);
  expect(() => parsePositiveInt('-1', '--concurrency')).toThrow('whole number above 0');
});

test('bytes and ETA as people read them', () => {
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(1023)).toBe('1023 B');
  expect(formatBytes(1536)).toBe('1.5 KiB');
  expect(formatBytes(10 * 1024 * 1024)).toBe('10.0 MiB');
  expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  expect(formatEta(0, 0)).toBe('0s');
  expect(formatEta(100, 0)).toBe('--');
  expect(formatEta(4200, 100)).toBe('42s');
  expect(formatEta(18500, 100)).toBe('3m05s');
  expect(formatEta(372000, 100)).toBe('1h02m');
});
