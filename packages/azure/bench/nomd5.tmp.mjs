import { TransferManager } from '@filexfer/core';
import { AzureAdapter } from '@filexfer/azure';
import { BlobServiceClient } from '@azure/storage-blob';
const [file, container, mode] = process.argv.slice(2);
const svc = BlobServiceClient.fromConnectionString('UseDevelopmentStorage=true');
class NoMd5 extends AzureAdapter {
  async createUpload(input) {
    const plan = await super.createUpload(input);
    if (mode !== 'nomd5' || plan.kind !== 'parts') return plan;
    const sign = plan.signPart.bind(plan);
    return Object.assign(plan, { wantsMd5: false, signPart: async (p, c) => { const r = await sign(p, { ...c, md5: 'x' }); delete r.headers['content-md5']; return r; } });
  }
}
const adapter = new NoMd5({ container, connectionString: 'UseDevelopmentStorage=true' });
const m = new TransferManager({ adapter });
const t = performance.now();
const r = await m.upload(file, { key: 'x-' + mode + Math.random() });
console.log(mode, (r.size / 1e6 / ((performance.now() - t) / 1000)).toFixed(0), 'MB/s');
await m.close();
