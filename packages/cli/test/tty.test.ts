/**
 * The live bars, seen through a real pseudo-terminal (node-pty): the bin runs
 * as it would in a user's terminal, Ctrl-C is the terminal's ^C.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { BIN, cleanEnv, NODE, Served, tempDir, ThrottleProxy } from './helpers';

const MiB = 1024 * 1024;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

interface PtyRun {
  term: pty.IPty;
  output: () => string;
  exited: Promise<number>;
  waitFor: (pattern: RegExp) => Promise<void>;
}

function spawnPty(args: string[], cwd: string): PtyRun {
  const term = pty.spawn(NODE, [BIN, ...args], { name: 'xterm-256color', cols: 140, rows: 30, cwd, env: cleanEnv() as Record<string, string> });
  let text = '';
  let waiters: Array<() => void> = [];
  term.onData((data) => {
    text += data;
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  });
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  let done = false;
  void exited.then(() => {
    done = true;
    waiters.forEach((f) => f());
  });
  return {
    term,
    output: () => text,
    exited,
    waitFor: async (pattern) => {
      while (!pattern.test(text.replace(ANSI, ''))) {
        if (done) throw new Error(`exited before ${pattern}: ${JSON.stringify(text.replace(ANSI, ''))}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

let work: { dir: string; remove: () => Promise<void> };
let served: Served;
let proxy: ThrottleProxy;

beforeAll(async () => {
  work = await tempDir();
  served = await Served.start(join(work.dir, 'store'));
  proxy = await ThrottleProxy.start(served.url, 4 * MiB);
});

afterAll(async () => {
  await proxy?.close();
  await served?.stop();
  await work?.remove();
});

test('a bar per file and a Total bar with percent, bytes, speed and ETA; URLs printed after the bars', async () => {
  await writeFile(join(work.dir, 'one.bin'), randomBytes(6 * MiB));
  await writeFile(join(work.dir, 'two.bin'), randomBytes(4 * MiB));
  const run = spawnPty(['upload', 'one.bin', 'two.bin', '--to', `local://${join(work.dir, 'store')}/`, '--endpoint', proxy.url, '--part-size', '1MiB'], work.dir);
  const code = await run.exited;
  const raw = run.output();
  const text = raw.replace(ANSI, '');
  expect(code).toBe(0);

  const bar = (label: string, size: string) =>
    new RegExp(`${label}\\s+[█░]{30} +(\\d+)% \\| [\\d.]+ (?:B|KiB|MiB) / ${size} \\| [\\d.]+ (?:B|KiB|MiB)/s \\| (ETA (?:\\d+s|\\d+m\\d\\ds|--)|done)`, 'g');
  const one = [...text.matchAll(bar('one\\.bin', '6\\.0 MiB'))];
  const two = [...text.matchAll(bar('two\\.bin', '4\\.0 MiB'))];
  const total = [...text.matchAll(bar('Total', '10\\.0 MiB'))];
  for (const frames of [one, two, total]) {
    expect(frames.length).toBeGreaterThan(1);
    // Live: frames in between 0 and 100 with an ETA, and the last frame at 100%, done.
    expect(frames.some((m) => Number(m[1]) > 0 && Number(m[1]) < 100 && m[2]!.startsWith('ETA'))).toBe(true);
    expect(frames.at(-1)![1]).toBe('100');
    expect(frames.at(-1)![2]).toBe('done');
  }
  // Drawn in place: the cursor moves back up over the bars, and is shown again at the end.
  expect(raw).toContain('\x1b[2A');
  expect(raw).toContain('\x1b[?25h');
  // The URLs come after the last frame, one per line.
  const lastFrame = text.lastIndexOf('done');
  const urls = text.slice(lastFrame).match(/http:\/\/127\.0\.0\.1:\d+\/o\/\S+/g);
  expect(urls).toHaveLength(2);
  expect(urls![0]).toContain('/one.bin?');
  expect(urls![1]).toContain('/two.bin?');
});

test('Ctrl-C in the terminal stops the upload: exit 130, cursor restored, no object and no parts left', async () => {
  const root = join(work.dir, 'ctrl-c-store');
  const store = await Served.start(root);
  const slow = await ThrottleProxy.start(store.url, 1 * MiB);
  try {
    await writeFile(join(work.dir, 'big.bin'), randomBytes(16 * MiB));
    const run = spawnPty(['upload', 'big.bin', '--to', `local://${root}/`, '--endpoint', slow.url, '--part-size', '1MiB', '--concurrency', '2'], work.dir);
    await run.waitFor(/big\.bin\s+[█░]+\s+[1-9]\d?% \|/);
    run.term.write('\x03');
    const code = await run.exited;
    const text = run.output().replace(ANSI, '');
    expect(code).toBe(130);
    expect(text).toContain('Interrupted: stopped 1 unfinished upload');
    expect(run.output()).toContain('\x1b[?25h');
    expect(text).not.toMatch(/http:\/\/\S+\/o\//);
    expect(await readdir(join(root, '.filexfer', 'uploads'))).toEqual([]);
    expect((await readdir(root)).filter((n) => n !== '.filexfer')).toEqual([]);
  } finally {
    await slow.close();
    await store.stop();
  }
});

test('a download bar through the terminal, and the saved path printed after it', async () => {
  await writeFile(join(work.dir, 'dl.bin'), randomBytes(3 * MiB));
  const up = spawnPty(['upload', 'dl.bin', '--to', `local://${join(work.dir, 'store')}/`, '--no-progress'], work.dir);
  expect(await up.exited).toBe(0);
  const url = up.output().replace(ANSI, '').match(/http:\/\/\S+/)![0].replace(served.url, proxy.url);
  const run = spawnPty(['download', url, '-o', 'dl-copy.bin'], work.dir);
  expect(await run.exited).toBe(0);
  const text = run.output().replace(ANSI, '');
  expect(text).toMatch(/dl-copy\.bin\s+[█░]{30} +\d+% \| [\d.]+ (?:B|KiB|MiB) \/ 3\.0 MiB \| [\d.]+ (?:B|KiB|MiB)\/s \| ETA/);
  expect(text).toMatch(/dl-copy\.bin\s+[█░]{30} +100% \| 3\.0 MiB \/ 3\.0 MiB .*done/);
  expect(text).not.toContain('Total');
  expect(text.trim().split(/\r?\n/).at(-1)).toBe(join(work.dir, 'dl-copy.bin'));
  expect(existsSync(join(work.dir, 'dl-copy.bin'))).toBe(true);
});
