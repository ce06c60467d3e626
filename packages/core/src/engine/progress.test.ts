import { ProgressMeter, type TransferProgress } from './progress.js';

test('retried bytes count once, percent holds at 99 until finish, and 100 comes once', () => {
  const seen: TransferProgress[] = [];
  const meter = new ProgressMeter(1000, 0, (p) => seen.push(p));
  meter.credit(1, 500);
  meter.credit(1, 200); // a retry of part 1 starts over: no going back
  meter.credit(2, 500);
  expect(meter.bytesTransferred).toBe(1000);
  expect(seen[seen.length - 1]!.percent).toBe(99);
  meter.finish();
  meter.finish();
  expect(seen.map((p) => p.percent)).toEqual([50, 99, 100]);
});

test('throttling drops intermediate steps but never the final 100', () => {
  const seen: number[] = [];
  const meter = new ProgressMeter(100, 60_000, (p) => seen.push(p.percent));
  for (let i = 1; i <= 100; i++) meter.credit(0, i);
  meter.finish();
  expect(seen).toEqual([1, 100]);
});
