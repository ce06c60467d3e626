#!/usr/bin/env node
/** The `filexfer` executable: runs main() and exits with its code once output is flushed. */
import { main } from './main.js';

const code = await main(process.argv, { handleSignals: true });
// Exit explicitly: an SDK's idle keep-alive socket must not hold the process open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
