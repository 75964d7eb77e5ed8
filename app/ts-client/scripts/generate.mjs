// Regenerates src/generated/ from the program's committed IDL
// (app/idl/pictor_vip.json) with Codama: `npm run generate`.
// The IDL itself is regenerated from the program by
// `PICTOR_IDL_WRITE=1 cargo test -p pictor-vip-tests --test idl`.
import { createFromRoot, definedTypeNode } from 'codama';
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const idl = JSON.parse(readFileSync(new URL('../../idl/pictor_vip.json', import.meta.url), 'utf8'));
const root = rootNodeFromAnchor(idl);
// @codama/renderers-js 2.2 renders no event nodes: each event becomes a
// defined type instead (its 8-byte discriminator, a hidden prefix, then its
// fields), so getPassClaimedDecoder() and the others decode an event's data
// and check its discriminator. src/events.ts finds them in transactions.
const eventTypes = root.program.events.map((e) => definedTypeNode({ name: e.name, type: e.data, docs: e.docs ?? [] }));
const codama = createFromRoot({
  ...root,
  program: { ...root.program, events: [], definedTypes: [...root.program.definedTypes, ...eventTypes] },
});
await codama.accept(
  renderVisitor(packageDir, {
    generatedFolder: 'src/generated',
    // The package's dependencies are pinned by hand (package.json).
    syncPackageJson: false,
  }),
);
// The events: each one's IDL discriminator and the generated decoder of its
// fields (src/generated/events.ts; src/events.ts finds them in transactions).
const events = idl.events.map((e) => ({ name: e.name, discriminator: e.discriminator }));
const lines = [
  '/**',
  ' * Written by scripts/generate.mjs from the IDL\'s events: DO NOT EDIT.',
  ' * Each event\'s discriminator (the 8 bytes after Anchor\'s event-CPI tag)',
  ' * and the Codama decoder of its fields.',
  ' */',
  '',
  'import type { Decoder } from "@solana/kit";',
  'import {',
  ...events.flatMap((e) => [`  get${e.name}Decoder,`, `  type ${e.name},`]),
  '} from "./types";',
  '',
  '/** A decoded event of the program: its IDL name and its fields. */',
  'export type PictorVipEvent =',
  ...events.map((e, i) => `  | { name: "${e.name}"; data: ${e.name} }${i === events.length - 1 ? ';' : ''}`),
  '',
  '/** Every event: name, discriminator, decoder. */',
  'export const PICTOR_VIP_EVENTS: ReadonlyArray<{',
  '  name: PictorVipEvent["name"];',
  '  discriminator: Uint8Array;',
  '  decoder: () => Decoder<PictorVipEvent["data"]>;',
  '}> = [',
  ...events.map(
    (e) =>
      `  { name: "${e.name}", discriminator: new Uint8Array([${e.discriminator.join(', ')}]), decoder: get${e.name}Decoder as () => Decoder<PictorVipEvent["data"]> },`,
  ),
  '];',
  '',
];
writeFileSync(new URL('../src/generated/events.ts', import.meta.url), lines.join('\n'));
console.log(`generated ${packageDir}src/generated from app/idl/pictor_vip.json`);
