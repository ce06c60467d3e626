import { PassThrough } from 'node:stream';
import { PlainView } from './plain';

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  return { streams: { stdout: out, stderr: err }, get: () => ({ stdout, stderr }) };
}

test('one line per step crossed, the step reached when several are crossed at once, 100% exactly once', () => {
  const io = capture();
  const view = new PlainView(io.streams);
  view.add(0, 'a.bin', 1000);
  const p = (bytes: number, percent: number) => ({ bytesTransferred: bytes, totalBytes: 1000, percent, bytesPerSecond: 100 });
  for (const [bytes, percent] of [[0, 0], [50, 5], [120, 12], [130, 13], [450, 45], [990, 99], [1000, 100]] as const) view.progress(0, p(bytes, percent));
  view.done(0, { size: 1000, url: 'http://x' });
  view.result('http://x');
  const { stdout, stderr } = io.get();
  const lines = stderr.trim().split('\n');
  expect(lines.map((l) => Number(/(\d+)%/.exec(l)![1]))).toEqual([0, 10, 40, 90, 100]);
  expect(lines[2]).toBe('a.bin   40%  450 B / 1000 B  100 B/s  ETA 6s');
  expect(lines[4]).toBe('a.bin  100%  1000 B / 1000 B  100 B/s');
  expect(stdout).toBe('http://x\n');
});

test('no 90% line for a file whose bytes are all sent and only await the store\'s confirmation', () => {
  const io = capture();
  const view = new PlainView(io.streams);
  view.add(0, 'small', 14);
  view.progress(0, { bytesTransferred: 14, totalBytes: 14, percent: 99, bytesPerSecond: 10 });
  view.progress(0, { bytesTransferred: 14, totalBytes: 14, percent: 100, bytesPerSecond: 10 });
  expect(io.get().stderr).toBe('small  100%  14 B / 14 B  10 B/s\n');
});

test('a file that finishes without a 100% report still gets its 100% line', () => {
  const io = capture();
  const view = new PlainView(io.streams);
  view.add(0, 'empty', 0);
  view.done(0, { size: 0 });
  expect(io.get().stderr).toBe('empty  100%  0 B / 0 B  0 B/s\n');
});
