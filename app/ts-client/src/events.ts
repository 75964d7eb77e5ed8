// Events: the program emits each event as a self-CPI through its event
// authority (Anchor's `emit_cpi!`): an inner instruction of the program whose
// data is Anchor's event tag, the event's discriminator, then its fields.
import { getAddressEncoder, getBase58Encoder, getProgramDerivedAddress, type Address } from '@solana/kit';
import { PICTOR_VIP_EVENTS, type PictorVipEvent } from './generated/events';
import { PICTOR_VIP_PROGRAM_ADDRESS } from './generated/programs';

export type { PictorVipEvent } from './generated/events';

/** Anchor's `EVENT_IX_TAG` (0x1d9acb512ea545e4), little-endian: the first 8 bytes of an event self-CPI. */
export const EVENT_IX_TAG = new Uint8Array([0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d]);

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  return data.length >= prefix.length && prefix.every((b, i) => data[i] === b);
}

/** The program's event authority (PDA of `__event_authority`), the first account of every event self-CPI. */
export async function findEventAuthorityPda(programAddress: Address = PICTOR_VIP_PROGRAM_ADDRESS) {
  return getProgramDerivedAddress({ programAddress, seeds: ['__event_authority'] });
}

/** Decodes an event self-CPI's instruction data; `null` if it is not one of the program's events. */
export function decodeEvent(data: Uint8Array): PictorVipEvent | null {
  if (!startsWith(data, EVENT_IX_TAG)) return null;
  const body = data.subarray(EVENT_IX_TAG.length);
  const event = PICTOR_VIP_EVENTS.find((e) => startsWith(body, e.discriminator));
  if (!event) return null;
  // The generated decoder checks the discriminator again, then reads the fields.
  return { name: event.name, data: event.decoder().decode(body) } as PictorVipEvent;
}

/** The part of a `getTransaction` answer (`encoding: 'json'`) events are read from. */
export type JsonTransaction = {
  transaction: { message: { accountKeys: readonly string[] } };
  meta: {
    innerInstructions?:
      | readonly { index: number; instructions: readonly { programIdIndex: number; accounts: readonly number[]; data: string }[] }[]
      | null;
    loadedAddresses?: { writable: readonly string[]; readonly: readonly string[] } | null;
  } | null;
};

/**
 * The program's events in a transaction, in order. Only inner instructions
 * the program itself ran through its event authority count: anyone can put
 * an instruction with the same bytes in a transaction, but only the program
 * can sign as its event authority.
 */
export async function eventsFromTransaction(
  tx: JsonTransaction,
  programAddress: Address = PICTOR_VIP_PROGRAM_ADDRESS,
): Promise<PictorVipEvent[]> {
  const [eventAuthority] = await findEventAuthorityPda(programAddress);
  const loaded = tx.meta?.loadedAddresses;
  const keys = [...tx.transaction.message.accountKeys, ...(loaded?.writable ?? []), ...(loaded?.readonly ?? [])];
  const base58 = getBase58Encoder();
  const out: PictorVipEvent[] = [];
  for (const inner of tx.meta?.innerInstructions ?? []) {
    for (const ix of inner.instructions) {
      if (keys[ix.programIdIndex] !== programAddress || keys[ix.accounts[0]] !== eventAuthority) continue;
      const event = decodeEvent(new Uint8Array(base58.encode(ix.data)));
      if (event) out.push(event);
    }
  }
  return out;
}

/** The address encoder, for PDA seeds. */
export const addressSeed = (a: Address) => getAddressEncoder().encode(a);
