// Bundles the Profile page's script (src/profile.ts) into
// app/server/assets/profile.js, which the Profile server embeds, and the
// browser test's Wallet Standard test wallet (test/test-wallet.ts) into
// test/dist/test-wallet.js. Both are committed; CI checks that they are
// exactly what these sources build. The output is deterministic: no
// timestamps, no absolute paths, no source maps.
import { build } from 'esbuild';

const common = {
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/profile.ts'], outfile: '../server/assets/profile.js' });
await build({ ...common, entryPoints: ['test/test-wallet.ts'], outfile: 'test/dist/test-wallet.js' });
