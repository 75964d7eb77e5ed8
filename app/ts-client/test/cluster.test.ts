// The generated client against a real local cluster, driven by the Rust test
// `app/cli/tests/web.rs` (it starts the cluster, seeds a network and writes
// the fixture: what the Rust SDK reads, and a funded eligible wallet).
// Run alone: PICTOR_TS_FIXTURE=fixture.json npm test.
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import {
  address,
  appendTransactionMessageInstruction,
  createKeyPairSignerFromBytes,
  createSolanaRpc,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getProgramDerivedAddress,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type Signature,
} from '@solana/kit';
import {
  addressSeed,
  eventsFromTransaction,
  fetchBoard,
  fetchConfig,
  fetchCreatorMember,
  fetchWorkerMember,
  findBoardPda,
  findConfigPda,
  findEventAuthorityPda,
  findMemberPda,
  findPassMintPda,
  getClaimInstructionAsync,
  PICTOR_VIP_PROGRAM_ADDRESS,
  Role,
  type JsonTransaction,
} from '../src';

const TOKEN_2022 = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
const ASSOCIATED_TOKEN = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');

type Fixture = {
  rpc_url: string;
  config: unknown;
  boards: { creator: unknown; worker: unknown };
  members: { role: 'creator' | 'worker'; wallet: string; account: unknown }[];
  claimer: { keypair: string; wallet: string };
};

const fixturePath = process.env.PICTOR_TS_FIXTURE;
const skip = fixturePath ? false : 'set PICTOR_TS_FIXTURE (cargo test -p pictor-vip-cli --features localnet --test web does)';
const fixture: Fixture = fixturePath ? JSON.parse(readFileSync(fixturePath, 'utf8')) : ({} as Fixture);
const rpc = createSolanaRpc(fixture.rpc_url ?? 'http://127.0.0.1:8899');

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A decoded account in the fixture's form: field names in snake_case (the
 * program's), every integer a decimal string, `Option` as the value or null,
 * enums as their index; the account discriminator left out.
 */
function normalise(v: unknown): unknown {
  if (typeof v === 'bigint' || typeof v === 'number') return v.toString();
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (v instanceof Uint8Array || Array.isArray(v)) return Array.from(v as ArrayLike<unknown>, normalise);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if ('__option' in o) return o.__option === 'Some' ? normalise(o.value) : null;
    return Object.fromEntries(
      Object.entries(o)
        .filter(([k]) => k !== 'discriminator')
        .map(([k, x]) => [snake(k), normalise(x)]),
    );
  }
  throw new Error(`unexpected value ${String(v)}`);
}

async function waitFor<T>(what: string, f: () => Promise<T | null>, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function confirmed(signature: Signature): Promise<void> {
  await waitFor('confirmation', async () => {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status?.err) throw new Error(`the transaction failed: ${JSON.stringify(status.err)}`);
    return status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized') ? true : null;
  }, 60);
}

test('decodes the config, the boards and members as the Rust SDK reads them', { skip }, async () => {
  const [configPda] = await findConfigPda();
  const config = await fetchConfig(rpc, configPda);
  assert.deepStrictEqual(normalise(config.data), fixture.config);
  for (const role of [Role.Creator, Role.Worker]) {
    const [boardPda] = await findBoardPda({ role });
    const board = await fetchBoard(rpc, boardPda);
    assert.deepStrictEqual(normalise(board.data), role === Role.Creator ? fixture.boards.creator : fixture.boards.worker);
  }
  assert.ok(fixture.members.length >= 2, 'the fixture names a creator and a worker');
  for (const m of fixture.members) {
    const role = m.role === 'creator' ? Role.Creator : Role.Worker;
    const [memberPda] = await findMemberPda({ role, wallet: address(m.wallet) });
    const member = role === Role.Creator ? await fetchCreatorMember(rpc, memberPda) : await fetchWorkerMember(rpc, memberPda);
    assert.deepStrictEqual(normalise(member.data), m.account, `${m.role} ${m.wallet}`);
  }
});

test('claims a pass with the generated builders; the pass appears and its event decodes', { skip }, async () => {
  const secret = new Uint8Array(JSON.parse(readFileSync(fixture.claimer.keypair, 'utf8')));
  const wallet = await createKeyPairSignerFromBytes(secret);
  assert.equal(wallet.address, fixture.claimer.wallet);
  const role = Role.Creator;
  const [passMint] = await findPassMintPda({ role, wallet: wallet.address });
  const [holderAta] = await getProgramDerivedAddress({
    programAddress: ASSOCIATED_TOKEN,
    seeds: [addressSeed(wallet.address), addressSeed(TOKEN_2022), addressSeed(passMint)],
  });
  const [eventAuthority] = await findEventAuthorityPda();
  const [memberPda] = await findMemberPda({ role, wallet: wallet.address });
  assert.equal((await fetchCreatorMember(rpc, memberPda)).data.header.passStatus, 0, 'no pass before the claim');

  const claim = await getClaimInstructionAsync({
    wallet,
    payer: wallet,
    holderAta,
    eventAuthority,
    program: PICTOR_VIP_PROGRAM_ADDRESS,
    role,
  });
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(wallet, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstruction(claim, m),
  );
  const signed = await signTransactionMessageWithSigners(message);
  const signature = getSignatureFromTransaction(signed);
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: 'base64' }).send();
  await confirmed(signature);

  // The pass: the member says Active and the wallet's token account holds it.
  const member = await fetchCreatorMember(rpc, memberPda);
  assert.equal(member.data.header.passStatus, 1, 'Active');
  assert.equal(member.data.header.wallet, wallet.address);
  const balance = await rpc.getTokenAccountBalance(holderAta, { commitment: 'confirmed' }).send();
  assert.equal(balance.value.amount, '1');
  assert.equal(balance.value.decimals, 0);

  // The event, from the transaction as an indexer reads it (this validator
  // serves getTransaction for finalized slots).
  const tx = await waitFor(
    'the finalized transaction',
    async () =>
      (await rpc
        .getTransaction(signature, { commitment: 'finalized', encoding: 'json', maxSupportedTransactionVersion: 0 })
        .send()) as unknown as JsonTransaction | null,
    120,
  );
  const events = await eventsFromTransaction(tx);
  const claimed = events.find((e) => e.name === 'PassClaimed');
  assert.ok(claimed, `a PassClaimed event among ${events.map((e) => e.name).join(', ')}`);
  if (claimed?.name !== 'PassClaimed') return;
  assert.equal(claimed.data.wallet, wallet.address);
  assert.equal(claimed.data.mint, passMint as Address);
  assert.equal(claimed.data.role, Role.Creator);
  assert.equal(claimed.data.payer, wallet.address);
  assert.equal(claimed.data.serial, BigInt(member.data.header.passSerial));
});
