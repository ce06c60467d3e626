/** Test files with known bytes, in a temp folder of the suite's own. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TestFiles {
  private constructor(readonly dir: string) {}

  static async create(prefix = 'filexfer-test-'): Promise<TestFiles> {
    return new TestFiles(await mkdtemp(join(tmpdir(), prefix)));
  }

  /** Writes `size` random bytes and returns the path and their SHA-256. */
  async make(name: string, size: number): Promise<{ path: string; sha256: string; data: Buffer }> {
    const data = randomBytes(size);
    const path = join(this.dir, name);
    await writeFile(path, data);
    return { path, sha256: sha256(data), data };
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async sha256Of(path: string): Promise<string> {
    return sha256(await readFile(path));
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
