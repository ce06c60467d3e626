/** A minimal StorageAdapter that signs for a ScriptedServer and records what the engine asked of it. */
import type { CompletedPart, CreateUploadInput, PartsUpload, StorageAdapter, UploadPlan, UploadState } from '../../src/adapter.js';

export const SECRET_SIG = 'S3cr3tSignatureValue0123456789';

export class TestAdapter implements StorageAdapter {
  readonly name = 'test';
  readonly capabilities = { checksSignatures: true, parallelParts: true, minPartSize: 1, partSizeMultiple: 1, maxParts: 10_000, resumableUploads: true };
  signCalls = 0;
  aborted = 0;
  completed?: CompletedPart[];
  held: CompletedPart[] = [];
  parallel = true;
  persisted = 0;

  constructor(private readonly base: () => string) {}

  async createUpload(input: CreateUploadInput): Promise<UploadPlan> {
    if (input.size <= input.partSize) {
      return {
        kind: 'single',
        sign: async (checksums) => {
          this.signCalls++;
          return { method: 'PUT', url: `${this.base()}/obj/${input.key}?sig=${SECRET_SIG}`, headers: { 'x-crc32c': checksums.crc32c } };
        },
      };
    }
    return this.session({ adapter: 'test', key: input.key, size: input.size, partSize: input.partSize });
  }

  async resumeUpload(state: UploadState): Promise<PartsUpload> {
    return this.session(state);
  }

  private session(state: UploadState): PartsUpload {
    return {
      kind: 'parts',
      partSize: state.partSize,
      parallel: this.parallel,
      state,
      signPart: async (part) => {
        this.signCalls++;
        return { method: 'PUT', url: `${this.base()}/part/${part.partNumber}?offset=${part.offset}&sig=${SECRET_SIG}` };
      },
      readPart: (part, _c, response) => {
        const persisted = response.headers['x-persisted'];
        return { part: { partNumber: part.partNumber, size: part.size, etag: response.headers.etag }, persistedUpTo: persisted === undefined ? undefined : Number(persisted) };
      },
      complete: async (parts, summary) => {
        this.completed = parts;
        return { key: state.key, size: summary.size, crc32c: summary.crc32c };
      },
      abort: async () => {
        this.aborted++;
      },
      listParts: async () => (this.parallel ? this.held : [{ partNumber: 0, size: this.persisted }]),
    };
  }

  async presignDownload(key: string): Promise<string> {
    return `${this.base()}/obj/${key}?sig=${SECRET_SIG}`;
  }
  async presignUpload(key: string) {
    return { method: 'PUT' as const, url: `${this.base()}/obj/${key}?sig=${SECRET_SIG}` };
  }
  async stat() {
    return null;
  }
  async delete() {}
}
