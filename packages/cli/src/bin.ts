#!/usr/bin/env node
/** The `filexfer` executable: runs main() and exits with its code once output is flushed. */
import { main } from './main.js';

// google-auth-library warns on stderr when it probes for a GCE metadata server
// that is not there; the CLI reports missing credentials itself, with what to set.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'MetadataLookupWarning') return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const code = await main(process.argv, { handleSignals: true });
// Exit explicitly: an SDK's idle keep-alive socket must not hold the process open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
