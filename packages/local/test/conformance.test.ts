import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformanceSuite } from '@filexfer/core/testing';
import { LocalAdapter } from '@filexfer/local';

runConformanceSuite({
  name: 'local store',
  createAdapter: () => LocalAdapter.start({ root: mkdtempSync(join(tmpdir(), 'filexfer-local-')) }),
  partSize: 256 * 1024,
});
