/**
 * Objects on disk under one root folder. Every write goes to a temp file in
 * `<root>/.filexfer/tmp` and is renamed into place only once complete and
 * verified, so a reader never sees half an object. Metadata (size, content
 * type, CRC32C) lives beside it in `<root>/.filexfer/meta/<key>.json`.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32cCombine, crc32cFromBase64, crc32cToBase64, FileXferError } from '@filexfer/core';
import { crc32c } from '@node-rs/crc32';
import { INTERNAL_DIR, pathForKey } from './keys.js';

export interface ObjectMeta {
  key: string;
  size: number;
  crc32c: string;
  contentType?: string;
  metadata?: Record<string, string>;
  etag: string;
  lastModified: string;
}

export interface PartMeta {
  partNumber: number;
  size: number;
  crc32c: string;
  etag: string;
}

interface Session {
  key: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

interface PartsSession extends Session {
  size: number;
  partSize: number;
}

export class DiskStore {
  readonly root: string;
  private readonly tmpDir: string;
  private readonly metaDir: string;
  private readonly uploadsDir: string;

  constructor(root: string) {
    this.root = root;
    this.tmpDir = join(root, INTERNAL_DIR, 'tmp');
    this.metaDir = join(root, INTERNAL_DIR, 'meta');
    this.uploadsDir = join(root, INTERNAL_DIR, 'uploads');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.metaDir, { recursive: true });
    await mkdir(this.uploadsDir, { recursive: true });
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    const file = pathForKey(this.root, key);
    try {
      const [meta, stats] = await Promise.all([readFile(this.metaPath(key), 'utf8'), stat(file)]);
      const parsed = JSON.parse(meta) as ObjectMeta;
      return stats.size === parsed.size ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  openRead(key: string, start: number, end: number): Readable {
    return createReadStream(pathForKey(this.root, key), { start, end });
  }

  /** Streams `body` into a new object, checking its length and CRC32C when given. */
  async putObject(key: string, body: Readable, expect: { size?: number; crc32c?: string }, info: Omit<Session, 'key'>): Promise<ObjectMeta> {
    const target = pathForKey(this.root, key);
    const { path: temp, size, crc } = await this.receive(body);
    try {
      check(size, crc, expect);
      return await this.commit(key, target, temp, size, crc, info);
    } finally {
      await rm(temp, { force: true });
    }
  }

  /**
   * Parts go straight to their place in one preallocated file, so completing
   * is a rename: no byte is copied twice.
   */
  async createUpload(key: string, info: Omit<Session, 'key'>, size: number, partSize: number): Promise<string> {
    pathForKey(this.root, key);
    if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(partSize) || partSize < 1) {
      throw new FileXferError('InvalidInput', 'A parts upload needs its total size and part size as whole numbers.', { adapter: 'local', key });
    }
    const id = randomUUID();
    const dir = join(this.uploadsDir, id);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'data'), '');
    await truncate(join(dir, 'data'), size);
    await writeFile(join(dir, 'session.json'), JSON.stringify({ key, ...info, size, partSize } satisfies PartsSession));
    return id;
  }

  async putPart(id: string, partNumber: number, body: Readable, expect: { size?: number; crc32c?: string }): Promise<PartMeta> {
    const dir = await this.sessionDir(id);
    const session = JSON.parse(await readFile(join(dir, 'session.json'), 'utf8')) as PartsSession;
    const start = (partNumber - 1) * session.partSize;
    const length = Math.min(session.partSize, session.size - start);
    if (length <= 0) throw new FileXferError('InvalidInput', `Part ${partNumber} lies beyond the end of a ${session.size}-byte upload.`, { adapter: 'local' });
    const { size, crc } = await this.receiveInto(body, join(dir, 'data'), start);
    check(size, crc, { ...expect, size: length });
    const part: PartMeta = { partNumber, size, crc32c: crc, etag: etagOf(crc, size) };
    await writeFile(join(dir, `${partNumber}.json`), JSON.stringify(part));
    return part;
  }

  async listParts(id: string): Promise<PartMeta[]> {
    const dir = await this.sessionDir(id);
    const names = (await readdir(dir)).filter((n) => /^\d+\.json$/.test(n));
    const parts = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as PartMeta));
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Checks every part is held, combines their CRC32Cs, and renames the data file into place. */
  async completeUpload(id: string, parts: Array<{ partNumber: number; etag?: string }>, expectCrc32c?: string): Promise<ObjectMeta> {
    const dir = await this.sessionDir(id);
    const session = JSON.parse(await readFile(join(dir, 'session.json'), 'utf8')) as PartsSession;
    const held = new Map((await this.listParts(id)).map((p) => [p.partNumber, p]));
    const count = Math.max(1, Math.ceil(session.size / session.partSize));
    const named = new Map(parts.map((p) => [p.partNumber, p]));
    let crc = 0;
    for (let n = 1; n <= count; n++) {
      const part = held.get(n);
      const wanted = named.get(n);
      if (!part || !wanted || (wanted.etag && wanted.etag !== part.etag)) {
        throw new FileXferError('InvalidInput', `Part ${n} of ${count} was never uploaded (or differs); upload it before completing.`, { adapter: 'local' });
      }
      crc = n === 1 ? crc32cFromBase64(part.crc32c) : crc32cCombine(crc, crc32cFromBase64(part.crc32c), part.size);
    }
    const crcText = crc32cToBase64(crc);
    check(session.size, crcText, { crc32c: expectCrc32c });
    const meta = await this.commit(session.key, pathForKey(this.root, session.key), join(dir, 'data'), session.size, crcText, session);
    await rm(dir, { recursive: true, force: true });
    return meta;
  }

  async abortUpload(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return;
    await rm(join(this.uploadsDir, id), { recursive: true, force: true });
  }

  async deleteObject(key: string): Promise<void> {
    await rm(pathForKey(this.root, key), { force: true });
    await rm(this.metaPath(key), { force: true });
  }

  private metaPath(key: string): string {
    return pathForKey(this.metaDir, key) + '.json';
  }

  private async sessionDir(id: string): Promise<string> {
    const dir = join(this.uploadsDir, id);
    if (!/^[0-9a-f-]{36}$/.test(id) || !(await exists(join(dir, 'session.json')))) {
      throw new FileXferError('NotFound', 'No such upload session: it was completed, aborted or never started. Start the upload again.', { adapter: 'local' });
    }
    return dir;
  }

  /** Streams `body` into `path` from byte `start` (a part's place), counting and hashing on the way. */
  private async receiveInto(body: Readable, path: string, start: number, flags: 'r+' | 'w' = 'r+'): Promise<{ size: number; crc: string }> {
    let size = 0;
    let crc = 0;
    try {
      await pipeline(
        body,
        async function* (source) {
          for await (const chunk of source) {
            crc = crc32c(chunk as Buffer, crc);
            size += (chunk as Buffer).length;
            yield chunk;
          }
        },
        createWriteStream(path, { flags, start }),
      );
    } catch (error) {
      throw new FileXferError('Network', 'The upload was cut before all bytes arrived; nothing was stored. Send it again.', { adapter: 'local', cause: error });
    }
    return { size, crc: crc32cToBase64(crc >>> 0) };
  }

  /** A whole object into a new temp file, removed again if the body is cut. */
  private async receive(body: Readable): Promise<{ path: string; size: number; crc: string }> {
    const path = join(this.tmpDir, randomUUID());
    try {
      return { path, ...(await this.receiveInto(body, path, 0, 'w')) };
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  }

  private async commit(key: string, target: string, temp: string, size: number, crc: string, info: Omit<Session, 'key'>): Promise<ObjectMeta> {
    const meta: ObjectMeta = {
      key,
      size,
      crc32c: crc,
      contentType: info.contentType,
      metadata: info.metadata,
      etag: etagOf(crc, size),
      lastModified: new Date().toISOString(),
    };
    try {
      await mkdir(dirname(target), { recursive: true });
      const metaPath = this.metaPath(key);
      await mkdir(dirname(metaPath), { recursive: true });
      await writeFile(metaPath + '.tmp', JSON.stringify(meta));
      await rename(temp, target);
      await rename(metaPath + '.tmp', metaPath);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
        throw new FileXferError('Conflict', `Key "${key}" clashes with an existing object or folder of that name; choose another key.`, { adapter: 'local', key, cause: error });
      }
      throw error;
    }
    return meta;
  }
}

function check(size: number, crc: string, expect: { size?: number; crc32c?: string }): void {
  if (expect.size !== undefined && expect.size !== size) {
    throw new FileXferError('InvalidInput', `Received ${size} bytes, expected ${expect.size}.`, { adapter: 'local' });
  }
  if (expect.crc32c && expect.crc32c !== crc) {
    throw new FileXferError('ChecksumMismatch', `The bytes received have CRC32C ${crc}, the sender said ${expect.crc32c}; nothing was stored.`, { adapter: 'local' });
  }
}

function etagOf(crc: string, size: number): string {
  return `${Buffer.from(crc, 'base64').toString('hex')}-${size.toString(16)}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
