// The README's example: a wallet's creator member, read with the generated client.
// `npm run build && node dist/examples/read-member.js WALLET [RPC_URL]`
import { address, createSolanaRpc } from '@solana/kit';
import { fetchMaybeCreatorMember, findMemberPda, Role } from '../src';

async function main(wallet: string, url = 'http://127.0.0.1:8899') {
  const rpc = createSolanaRpc(url);
  const [memberPda] = await findMemberPda({ role: Role.Creator, wallet: address(wallet) });
  const member = await fetchMaybeCreatorMember(rpc, memberPda);
  if (!member.exists) return console.log('no reports for this wallet yet');
  const { header, facts } = member.data;
  console.log(`spent ${facts.spentBaseUnits} USDT base units (6 decimals); pass status ${header.passStatus}`);
}

main(process.argv[2] ?? '', process.argv[3]).catch((e) => {
  console.error(String(e));
  process.exit(1);
});
