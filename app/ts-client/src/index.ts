// The Pictor VIP Pass client for @solana/kit: the Codama-generated accounts,
// instructions, PDAs, types and errors (src/generated/, from
// app/idl/pictor_vip.json), plus event decoding (src/events.ts).
export * from './generated';
export * from './events';
