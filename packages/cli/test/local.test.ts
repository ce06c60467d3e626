/**
 * The built `filexfer` bin against the local store: `serve` in one process,
 * the other commands in others, as a user would run them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Cli, cleanEnv, run, Served, sha256File, steps, tempDir, ThrottleProxy } from './helpers';

const MiB = 1024 * 1024;

let work: { dir: string; remove: () => Promise<void> };
let served: Served;
let root: string;
let secret: string;
const outputs: string[] = [];

/** Runs the CLI and keeps its output for the "secret never printed" check. */
async function cli(args: string[], env = cleanEnv()) {
  const result = await run(args, { env, cwd: work.dir });
  outputs.push(result.stdout, result.stderr);
  return result;
}

async function file(name: string, size: number): Promise<string> {
  const path = join(work.dir, name);
  await writeFile(path, randomBytes(size));
  return path;
}

/** Files in the store root, the store's own `.filexfer/` folder left out. */
async function objectsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !join(e.parentPath, e.name).includes('/.filexfer')).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  work = await tempDir();
  root = join(work.dir, 'store');
  served = await Served.start(root);
  secret = (await readFile(join(root, '.filexfer', 'secret'), 'utf8')).trim();
});

afterAll(async () => {
  const stopped = await served?.stop();
  outputs.push(stopped?.stdout ?? '', stopped?.stderr ?? '');
  await work?.remove();
});

describe('serve', () => {
  test('keeps its secret in <root>/.filexfer/secret, mode 0600, and records its URL', async () => {
    const info = await stat(join(root, '.filexfer', 'secret'));
    expect(info.mode & 0o777).toBe(0o600);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const recorded = JSON.parse(await readFile(join(root, '.filexfer', 'server.json'), 'utf8'));
    expect(recorded.url).toBe(served.url);
    expect(served.cli.stderr).toContain(`Serving ${root} at ${served.url}`);
    expect(served.cli.stderr).toContain('never printed');
  });

  test('Ctrl-C stops it with exit code 130 and removes server.json; the secret stays for the next start', async () => {
    const other = join(work.dir, 'other-store');
    const second = await Served.start(other);
    const firstSecret = await readFile(join(other, '.filexfer', 'secret'), 'utf8');
    const result = await second.stop();
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('Stopped.');
    expect(existsSync(join(other, '.filexfer', 'server.json'))).toBe(false);
    const third = await Served.start(other);
    await third.stop();
    expect(await readFile(join(other, '.filexfer', 'secret'), 'utf8')).toBe(firstSecret);
  });

  test('a port in use is an error that says so', async () => {
    const port = new URL(served.url).port;
    const result = await cli(['serve', '--root', join(work.dir, 'third'), '--port', port]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  });
});

describe('upload and download', () => {
  test('upload prints one URL per file on stdout, in argument order; progress lines end at 100%', async () => {
    const a = await file('a.bin', 3 * MiB + 5);
    const b = await file('b.txt', 10);
    const result = await cli(['upload', a, b, '--to', `local://${root}/shared/`, '--part-size', '1MiB']);
    expect(result.code).toBe(0);
    const urls = result.stdout.trim().split('\n');
    expect(urls).toHaveLength(2);
    expect(urls[0]).toMatch(new RegExp(`^${served.url}/o/shared/[0-9a-f-]{36}/a\\.bin\\?`));
    expect(urls[1]).toMatch(new RegExp(`^${served.url}/o/shared/[0-9a-f-]{36}/b\\.txt\\?`));
    for (const label of ['a.bin', 'b.txt']) {
      const seen = steps(result.stderr, label);
      expect(seen.at(-1)).toBe(100);
      expect(seen.filter((s) => s === 100)).toHaveLength(1);
      expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    }
    // What a receiver does with the URL.
    const got = await cli(['download', urls[0]!, '-o', join(work.dir, 'got') + '/']);
    expect(got.code).toBe(0);
    expect(got.stdout.trim()).toBe(join(work.dir, 'got', 'a.bin'));
    expect(await sha256File(join(work.dir, 'got', 'a.bin'))).toBe(await sha256File(a));
  });

  test('download through a slow link prints one line per 10% step, ending at 100%', async () => {
    const src = await file('steps.bin', 4 * MiB);
    const up = await cli(['upload', src, '--to', `local://${root}/`, '--key', 'steps.bin']);
    expect(up.code).toBe(0);
    const proxy = await ThrottleProxy.start(served.url, 2 * MiB);
    try {
      const url = up.stdout.trim().replace(served.url, proxy.url);
      const result = await cli(['download', url, '-o', join(work.dir, 'steps-out.bin')]);
      expect(result.code).toBe(0);
      const seen = steps(result.stderr, 'steps-out.bin');
      expect(seen.length).toBeGreaterThanOrEqual(3);
      seen.forEach((s, i) => {
        expect(s % 10).toBe(0);
        if (i > 0) expect(s).toBeGreaterThan(seen[i - 1]!);
      });
      expect(seen.at(-1)).toBe(100);
      expect(result.stderr).toMatch(/steps-out\.bin\s+\d+%\s+[\d.]+ (B|KiB|MiB) \/ 4\.0 MiB\s+[\d.]+ (B|KiB|MiB)\/s\s+ETA \S+/);
      expect(await sha256File(join(work.dir, 'steps-out.bin'))).toBe(await sha256File(src));
    } finally {
      await proxy.close();
    }
  });

  test('--key, --content-type and a store URL download; --json gives one event per line', async () => {
    const src = await file('photo.dat', 1000);
    const up = await cli(['upload', src, '--to', `local://${root}/pics`, '--key', 'cat.jpg', '--content-type', 'image/jpeg', '--json']);
    expect(up.code).toBe(0);
    const events = up.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ event: 'start', id: 0, file: 'photo.dat', size: 1000 });
    const done = events.find((e) => e.event === 'done');
    expect(done).toMatchObject({ key: 'pics/cat.jpg', size: 1000 });
    expect(events.filter((e) => e.event === 'progress').at(-1)).toMatchObject({ percent: 100, bytes: 1000, total: 1000 });
    const response = await fetch(done.url);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(await readFile(src));

    const got = await cli(['download', `local://${root}/pics/cat.jpg`, '-o', join(work.dir, 'cat.jpg')]);
    expect(got.code).toBe(0);
    expect(await readFile(join(work.dir, 'cat.jpg'))).toEqual(await readFile(src));
  });

  test('presign: a GET URL to share and a PUT URL to upload without credentials', async () => {
    const put = await cli(['presign', `local://${root}/inbox/report.pdf`, '--method', 'put', '--expires', '10m', '--content-type', 'application/pdf']);
    expect(put.code).toBe(0);
    expect(put.stderr).toContain('content-type: application/pdf');
    const body = randomBytes(5000);
    const sent = await fetch(put.stdout.trim(), { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } });
    expect(sent.status).toBe(200);
    const get = await cli(['presign', `local://${root}/inbox/report.pdf`, '--json']);
    expect(get.code).toBe(0);
    const signed = JSON.parse(get.stdout);
    expect(signed).toMatchObject({ method: 'GET', expiresIn: 3600 });
    const fetched = await fetch(signed.url);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(body);
    expect(Number(new URL(signed.url).searchParams.get('X-Filexfer-Expires')) - Date.now() / 1000).toBeLessThanOrEqual(3600);
  });
});

describe('interrupts and resume', () => {
  test('a download killed mid-way (SIGKILL) resumes from its partial file on the next run', async () => {
    const src = await file('resume.bin', 6 * MiB);
    const up = await cli(['upload', src, '--to', `local://${root}/`, '--key', 'resume.bin']);
    expect(up.code).toBe(0);
    const proxy = await ThrottleProxy.start(served.url, 1 * MiB);
    const dest = join(work.dir, 'resume-out.bin');
    try {
      const url = up.stdout.trim().replace(served.url, proxy.url);
      const first = new Cli(['download', url, '-o', dest], { env: cleanEnv(), cwd: work.dir });
      await first.waitFor(/resume-out\.bin\s+[2-9]0%/, 'stderr');
      first.child.kill('SIGKILL');
      const killed = await first.exited;
      expect(killed.signal).toBe('SIGKILL');
      const partial = (await stat(dest + '.filexfer-partial')).size;
      expect(partial).toBeGreaterThan(0);
      expect(existsSync(dest + '.filexfer-partial.json')).toBe(true);
      expect(existsSync(dest)).toBe(false);

      proxy.bytesPerSecond = Infinity;
      proxy.bytesToClient = 0;
      const second = await cli(['download', url, '-o', dest]);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/resume-out\.bin\s+resuming from [\d.]+ (KiB|MiB)/);
      // Only the rest came over the wire (plus response headers).
      expect(proxy.bytesToClient).toBeLessThan(6 * MiB - partial + 4096);
      expect(await sha256File(dest)).toBe(await sha256File(src));
      expect(existsSync(dest + '.filexfer-partial')).toBe(false);
      expect(existsSync(dest + '.filexfer-partial.json')).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  // Pins a fixed core bug: after a resume, progress once counted the partial file twice.
  test('progress after a resume counts the partial file once', async () => {
    const src = await file('resume-progress.bin', 6 * MiB);
    const up = await cli(['upload', src, '--to', `local://${root}/`, '--key', 'resume-progress.bin']);
    expect(up.code).toBe(0);
    const proxy = await ThrottleProxy.start(served.url, 2 * MiB);
    const dest = join(work.dir, 'resume-progress-out.bin');
    try {
      const url = up.stdout.trim().replace(served.url, proxy.url);
      const first = new Cli(['download', url, '-o', dest], { env: cleanEnv(), cwd: work.dir });
      await first.waitFor(/resume-progress-out\.bin\s+[2-9]0%/, 'stderr');
      first.child.kill('SIGKILL');
      await first.exited;
      const partial = (await stat(dest + '.filexfer-partial')).size;
      proxy.bytesToClient = 0;
      const second = new Cli(['download', url, '-o', dest, '--json'], { env: cleanEnv(), cwd: work.dir });
      // Each event is read after the proxy forwarded the bytes it counts: it can never count more
      // than the partial file plus what came through the proxy so far.
      const checked: Array<{ bytes: number; bound: number }> = [];
      second.child.stdout!.on('data', () => {
        for (const line of second.stdout.split('\n').slice(checked.length, -1)) {
          const event = JSON.parse(line);
          checked.push({ bytes: event.event === 'progress' && event.percent < 100 ? event.bytes : 0, bound: partial + proxy.bytesToClient });
        }
      });
      const result = await second.exited;
      expect(result.code).toBe(0);
      expect(checked.some((c) => c.bytes > 0)).toBe(true);
      for (const c of checked) expect(c.bytes).toBeLessThanOrEqual(c.bound);
    } finally {
      await proxy.close();
    }
  });

  test('Ctrl-C during a download exits 130 and leaves no file and no partial file', async () => {
    const src = await file('stop-dl.bin', 6 * MiB);
    const up = await cli(['upload', src, '--to', `local://${root}/`, '--key', 'stop-dl.bin']);
    const proxy = await ThrottleProxy.start(served.url, 1 * MiB);
    const dest = join(work.dir, 'stop-dl-out.bin');
    try {
      const running = new Cli(['download', up.stdout.trim().replace(served.url, proxy.url), '-o', dest], { env: cleanEnv(), cwd: work.dir });
      await running.waitFor(/stop-dl-out\.bin\s+[1-9]0%/, 'stderr');
      running.child.kill('SIGINT');
      const result = await running.exited;
      outputs.push(result.stdout, result.stderr);
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Interrupted: stopped 1 unfinished download');
      expect(result.stdout).toBe('');
      expect(existsSync(dest)).toBe(false);
      expect(existsSync(dest + '.filexfer-partial')).toBe(false);
      expect(existsSync(dest + '.filexfer-partial.json')).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  test('Ctrl-C during a multipart upload exits 130 and aborts the store-side session: no object, no parts', async () => {
    const storeRoot = join(work.dir, 'stop-up-store');
    const store = await Served.start(storeRoot);
    const proxy = await ThrottleProxy.start(store.url, 2 * MiB);
    try {
      const src = await file('stop-up.bin', 24 * MiB);
      const running = new Cli(['upload', src, '--to', `local://${storeRoot}/`, '--endpoint', proxy.url, '--part-size', '1MiB', '--concurrency', '2'], {
        env: cleanEnv(),
        cwd: work.dir,
      });
      await running.waitFor(/stop-up\.bin\s+[1-9]0%/, 'stderr');
      expect(await readdir(join(storeRoot, '.filexfer', 'uploads'))).toHaveLength(1); // the session is open
      running.child.kill('SIGINT');
      const result = await running.exited;
      outputs.push(result.stdout, result.stderr);
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Interrupted: stopped 1 unfinished upload');
      expect(result.stdout).toBe('');
      expect(await readdir(join(storeRoot, '.filexfer', 'uploads'))).toEqual([]);
      expect(await objectsIn(storeRoot)).toEqual([]);
    } finally {
      await proxy.close();
      await store.stop();
    }
  });
});

describe('errors a user can act on, with distinct exit codes', () => {
  test('a missing file: 6, and nothing is uploaded', async () => {
    const ok = await file('present.txt', 10);
    const result = await cli(['upload', ok, join(work.dir, 'missing.txt'), '--to', `local://${root}/errors/`]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`No such file: ${join(work.dir, 'missing.txt')}`);
    expect(result.stdout).toBe('');
    expect(existsSync(join(root, 'errors'))).toBe(false);
  });

  test('an unknown scheme: 3, with the schemes it takes', async () => {
    const ok = await file('scheme.txt', 10);
    for (const to of ['ftp://host/dir/', 'gcs://bucket/', 'bucket/prefix/']) {
      const result = await cli(['upload', ok, '--to', to]);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/s3:\/\/|gs:\/\//);
    }
    const presign = await cli(['presign', 'http://example.com/x']);
    expect(presign.code).toBe(3);
    expect(presign.stderr).toContain('filexfer download <url>');
  });

  test('no server running: 9 "store unreachable", saying how to start it', async () => {
    const idle = join(work.dir, 'idle-store');
    const s = await Served.start(idle);
    await s.stop();
    const ok = await file('idle.txt', 10);
    const result = await cli(['upload', ok, '--to', `local://${idle}/`, '--endpoint', 'http://127.0.0.1:9']);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain('No local store server answers at http://127.0.0.1:9');
    expect(result.stderr).toContain(`filexfer serve --root ${idle} --port 9`);
  });

  test('no secret (the store was never served): 4, saying how to get one', async () => {
    const ok = await file('nosecret.txt', 10);
    const result = await cli(['upload', ok, '--to', `local://${join(work.dir, 'never-served')}/`]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('filexfer serve --root');
  });

  test('a wrong secret: 4 (credentials refused)', async () => {
    const ok = await file('wrongsecret.txt', 10);
    const result = await cli(['upload', ok, '--to', `local://${root}/`], cleanEnv({ FILEXFER_LOCAL_SECRET: 'not-the-secret-of-this-server' }));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Signature does not match');
  });

  test('a tampered URL: 8 (URL refused); an expired one: 8 too', async () => {
    const src = await file('refused.txt', 100);
    const up = await cli(['upload', src, '--to', `local://${root}/`, '--key', 'refused.txt']);
    const url = new URL(up.stdout.trim());
    url.pathname = url.pathname.replace('refused.txt', 'other.txt');
    const tampered = await cli(['download', url.toString(), '-o', join(work.dir, 'tampered.txt')]);
    expect(tampered.code).toBe(8);
    expect(tampered.stderr).toContain('Signature does not match');
    expect(tampered.stderr).toContain('Ask the sender for a fresh URL');
    expect(existsSync(join(work.dir, 'tampered.txt'))).toBe(false);

    const short = await cli(['presign', `local://${root}/refused.txt`, '--expires', '1']);
    expect(short.code).toBe(0);
    const expires = Number(new URL(short.stdout.trim()).searchParams.get('X-Filexfer-Expires'));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires * 1000 - Date.now()) + 100));
    const expired = await cli(['download', short.stdout.trim(), '-o', join(work.dir, 'expired.txt')]);
    expect(expired.code).toBe(8);
    expect(expired.stderr).toMatch(/expired/i);
  });

  test('an object that is not there: 7', async () => {
    const result = await cli(['download', `local://${root}/no/such/object.bin`, '-o', join(work.dir, 'none.bin')]);
    expect(result.code).toBe(7);
    expect(existsSync(join(work.dir, 'none.bin'))).toBe(false);
  });

  test('a file the user may not read: 5', async () => {
    const path = await file('private.txt', 10);
    const { chmod } = await import('node:fs/promises');
    await chmod(path, 0o600);
    await chmod(work.dir, 0o755);
    // As root every file is readable: run the CLI as nobody (65534), who may read the bin but not this file.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (!asUser.uid) await chmod(path, 0o000);
    const result = await run(['upload', path, '--to', `local://${root}/`], { env: cleanEnv(), cwd: '/', ...asUser });
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`No permission to read ${path}`);
  });

  test('with several files, one refused: the others finish and print their URLs, the exit code is the refused one\'s', async () => {
    const good = await file('good.txt', 10);
    await mkdir(join(work.dir, 'odd'), { recursive: true });
    const odd = join(work.dir, 'odd', '.filexfer');
    await writeFile(odd, 'the local store refuses keys inside its own .filexfer/ folder');
    const result = await cli(['upload', odd, good, '--to', `local://${root}/`, '--key', '{name}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('.filexfer: error:');
    expect(result.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${served.url}/o/good\\.txt\\?`))]);
  });

  test('bad usage: 2', async () => {
    expect((await cli(['upload', 'x'])).code).toBe(2); // no --to
    expect((await cli(['frobnicate'])).code).toBe(2);
    const ok = await file('usage.txt', 1);
    const many = await cli(['upload', ok, ok, '--to', `local://${root}/`, '--key', 'same']);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('{name}');
    const size = await cli(['upload', ok, '--to', `local://${root}/`, '--part-size', 'lots']);
    expect(size.code).toBe(2);
  });
});

test('the secret is never printed', () => {
  expect(outputs.length).toBeGreaterThan(20);
  for (const text of outputs) expect(text).not.toContain(secret);
});

test('help lists the commands and the exit codes', async () => {
  const help = await cli(['--help']);
  expect(help.code).toBe(0);
  for (const word of ['upload', 'download', 'presign', 'serve', '130 interrupted']) expect(help.stdout).toContain(word);
  await mkdir(join(work.dir, 'unused'), { recursive: true });
});
