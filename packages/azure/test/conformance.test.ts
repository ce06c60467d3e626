import { runConformanceSuite } from '@filexfer/core/testing';
import { adapterFor, createContainer } from './helpers.js';

let remove: (() => Promise<void>) | undefined;

runConformanceSuite({
  name: 'azure on Azurite',
  createAdapter: async () => {
    const container = await createContainer();
    remove = container.remove;
    return adapterFor(container.name);
  },
  // Azure takes blocks of any size; small parts keep the many-part cases quick.
  partSize: 256 * 1024,
});

afterAll(async () => {
  await remove?.();
});
