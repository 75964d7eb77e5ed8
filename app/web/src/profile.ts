// The Profile page's wallet flow (SPEC §11): with a Wallet Standard wallet in
// the browser, Connect lists the wallets that can sign Solana transactions;
// once connected to the Profile's own wallet, Claim (or Withdraw) asks this
// server's Solana Action for the transaction, has the wallet sign and send
// it, and says what became of it: confirmed, refused with the program's
// reason, rejected by the user, or expired. Then the page shows the pass.
//
// The page works without this script (progress, the command line, the blink
// link). The script talks to this server only: its Content-Security-Policy
// allows no other origin. A wallet that can only sign hands the signed
// transaction back, and the server relays it (POST /api/transactions).
import {
    getBase58Decoder,
    getBase64Decoder,
    getBase64Encoder,
    getCompiledTransactionMessageDecoder,
    getTransactionDecoder,
} from '@solana/kit';
import {
    SolanaSignAndSendTransaction,
    type SolanaSignAndSendTransactionFeature,
    SolanaSignTransaction,
    type SolanaSignTransactionFeature,
} from '@solana/wallet-standard-features';
import { getWallets } from '@wallet-standard/app';
import type { IdentifierString, Wallet, WalletAccount } from '@wallet-standard/base';
import { StandardConnect, type StandardConnectFeature } from '@wallet-standard/features';

/** What one claim or withdrawal block of the page says of itself. */
interface Flow {
    root: HTMLElement;
    /** The Action's route, `/api/actions/KIND/ROLE`. */
    action: string;
    kind: 'claim' | 'withdraw';
    /** The Profile's wallet: the only account that may sign here. */
    wallet: string;
    /** The Wallet Standard chain of the cluster the server reads. */
    chain: IdentifierString;
    connect: HTMLButtonElement;
    go: HTMLButtonElement;
    list: HTMLUListElement;
    outcome: HTMLElement;
    connected?: { wallet: Wallet; account: WalletAccount };
}

/** How long the page waits for a transaction to land before it asks whether its blockhash expired. */
const POLL_MS = 1000;
/** The page gives up asking after this long (a blockhash lives about a minute). */
const GIVE_UP_MS = 150_000;

function canSign(wallet: Wallet): boolean {
    return SolanaSignAndSendTransaction in wallet.features || SolanaSignTransaction in wallet.features;
}

function say(flow: Flow, text: string, tone: 'info' | 'ok' | 'bad' = 'info'): void {
    flow.outcome.textContent = text;
    flow.outcome.dataset.tone = tone;
}

/** Did the person decline in the wallet? (EIP-1193's 4001, or the words wallets use.) */
function isUserRejection(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 4001 || code === 'ACTION_REJECTED' || /reject|denied|declin|cancel/i.test(messageOf(error));
}

function messageOf(error: unknown): string {
    const e = error as { message?: unknown } | null;
    return String(e?.message ?? error);
}

function listWallets(flow: Flow): void {
    const wallets = getWallets().get().filter(canSign);
    flow.list.replaceChildren();
    if (wallets.length === 0) {
        say(
            flow,
            'No Solana wallet was found in this browser. Install one (Phantom, Solflare, Backpack…) and reload, ' +
                'or use the blink or the command line below.',
            'bad',
        );
        return;
    }
    for (const wallet of wallets) {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'wallet';
        if (wallet.icon) {
            const icon = document.createElement('img');
            icon.src = wallet.icon;
            icon.alt = '';
            icon.width = 20;
            icon.height = 20;
            button.append(icon);
        }
        button.append(document.createTextNode(wallet.name));
        button.addEventListener('click', () => void connect(flow, wallet));
        item.append(button);
        flow.list.append(item);
    }
    flow.list.hidden = false;
    say(flow, 'Choose your wallet.');
}

async function connect(flow: Flow, wallet: Wallet): Promise<void> {
    const feature = (wallet.features as Partial<StandardConnectFeature>)[StandardConnect];
    let accounts: readonly WalletAccount[] = wallet.accounts;
    try {
        if (feature) accounts = (await feature.connect()).accounts;
    } catch (error) {
        say(
            flow,
            isUserRejection(error)
                ? `You declined the connection in ${wallet.name}: nothing was done.`
                : `${wallet.name} could not connect: ${messageOf(error)}`,
            'bad',
        );
        return;
    }
    const account = accounts.find((a) => a.address === flow.wallet);
    if (!account) {
        const shown = accounts.map((a) => a.address).join(', ') || 'no account';
        say(
            flow,
            `${wallet.name} is connected as ${shown}, but this Profile is ${flow.wallet}. Switch to that account in ` +
                'your wallet, or open the Profile of the connected wallet.',
            'bad',
        );
        return;
    }
    flow.connected = { wallet, account };
    flow.list.hidden = true;
    flow.connect.textContent = `Connected: ${wallet.name}`;
    flow.go.hidden = false;
    say(flow, `Connected to ${wallet.name} as ${account.address}.`);
}

/** The Action's transaction, or the server's refusal in words. */
async function fetchTransaction(flow: Flow): Promise<{ bytes: Uint8Array; blockhash: string } | string> {
    let response: Response;
    try {
        response = await fetch(flow.action, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ account: flow.wallet }),
        });
    } catch (error) {
        return `The Pictor server did not answer (${messageOf(error)}): try again in a minute.`;
    }
    const body = (await response.json().catch(() => ({}))) as { transaction?: string; message?: string };
    if (!response.ok || typeof body.transaction !== 'string') {
        return body.message ?? `The Pictor server refused (HTTP ${response.status}).`;
    }
    const bytes = new Uint8Array(getBase64Encoder().encode(body.transaction));
    const tx = getTransactionDecoder().decode(bytes);
    if (!(flow.wallet in tx.signatures)) {
        return 'The server built a transaction your wallet does not sign: nothing was sent.';
    }
    const message = getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
    return { bytes, blockhash: message.lifetimeToken };
}

/** Signs and sends through the wallet; the transaction's signature, or why not. */
async function signAndSend(flow: Flow, bytes: Uint8Array): Promise<{ signature: string } | { refused: string }> {
    const { wallet, account } = flow.connected!;
    const features = wallet.features as Partial<SolanaSignAndSendTransactionFeature & SolanaSignTransactionFeature>;
    const sendFeature = features[SolanaSignAndSendTransaction];
    if (sendFeature) {
        const [out] = await sendFeature.signAndSendTransaction({ account, chain: flow.chain, transaction: bytes });
        return { signature: getBase58Decoder().decode(out.signature) };
    }
    const [signed] = await features[SolanaSignTransaction]!.signTransaction({
        account,
        chain: flow.chain,
        transaction: bytes,
    });
    const response = await fetch('/api/transactions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ transaction: getBase64Decoder().decode(signed.signedTransaction) }),
    });
    const body = (await response.json().catch(() => ({}))) as { signature?: string; detail?: string };
    if (!response.ok || !body.signature) {
        return { refused: body.detail ?? `the server could not send it (HTTP ${response.status})` };
    }
    return { signature: body.signature };
}

interface Status {
    status: 'confirmed' | 'failed' | 'pending' | 'expired';
    message: string;
}

async function waitFor(signature: string, blockhash: string): Promise<Status> {
    const until = Date.now() + GIVE_UP_MS;
    for (;;) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        try {
            const response = await fetch(`/api/transactions/${signature}?blockhash=${encodeURIComponent(blockhash)}`);
            if (response.ok) {
                const status = (await response.json()) as Status;
                if (status.status !== 'pending') return status;
            }
        } catch {
            // The server is briefly unreachable: ask again.
        }
        if (Date.now() > until) {
            return { status: 'pending', message: `Sent (${signature}), not confirmed yet: reload in a minute.` };
        }
    }
}

async function go(flow: Flow): Promise<void> {
    if (!flow.connected) return;
    flow.go.disabled = true;
    const what = flow.kind === 'claim' ? 'claim' : 'withdrawal';
    try {
        say(flow, 'Asking Pictor for the transaction…');
        const built = await fetchTransaction(flow);
        if (typeof built === 'string') {
            say(flow, `Refused: ${built}`, 'bad');
            return;
        }
        say(flow, `Approve the ${what} in ${flow.connected.wallet.name}…`);
        let sent: { signature: string } | { refused: string };
        try {
            sent = await signAndSend(flow, built.bytes);
        } catch (error) {
            if (isUserRejection(error)) {
                say(flow, `You rejected the ${what} in your wallet: nothing was sent.`, 'bad');
            } else {
                say(flow, `Refused: ${messageOf(error)}`, 'bad');
            }
            return;
        }
        if ('refused' in sent) {
            say(flow, `Refused: ${sent.refused}`, 'bad');
            return;
        }
        say(flow, `Sent (${sent.signature}); waiting for the cluster to confirm it…`);
        const status = await waitFor(sent.signature, built.blockhash);
        if (status.status === 'confirmed') {
            const done = flow.kind === 'claim' ? 'your pass is in your wallet' : 'the rewards are in your wallet';
            say(flow, `Confirmed: ${done}. Showing it…`, 'ok');
            flow.root.dataset.done = 'confirmed';
            setTimeout(() => window.location.reload(), 1500);
            return;
        }
        if (status.status === 'failed') say(flow, `Refused by the program: ${status.message}`, 'bad');
        else if (status.status === 'expired') say(flow, `Expired: ${status.message} Try again.`, 'bad');
        else say(flow, status.message);
    } finally {
        flow.go.disabled = false;
    }
}

function start(root: HTMLElement): void {
    const q = <T extends Element>(css: string) => root.querySelector<T>(css)!;
    const kind = root.dataset.kind === 'withdraw' ? 'withdraw' : 'claim';
    const flow: Flow = {
        root,
        action: root.dataset.action!,
        kind,
        wallet: root.dataset.wallet!,
        chain: (root.dataset.chain ?? 'solana:mainnet') as IdentifierString,
        connect: q<HTMLButtonElement>('button.connect'),
        go: q<HTMLButtonElement>('button.go'),
        list: q<HTMLUListElement>('ul.wallet-list'),
        outcome: q<HTMLElement>('.outcome'),
    };
    q<HTMLElement>('.buttons').hidden = false;
    flow.connect.addEventListener('click', () => listWallets(flow));
    flow.go.addEventListener('click', () => void go(flow));
    // A wallet that registers after the list was shown joins it.
    getWallets().on('register', () => {
        if (!flow.list.hidden && !flow.connected) listWallets(flow);
    });
}

for (const root of document.querySelectorAll<HTMLElement>('.wallet-flow[data-action]')) start(root);
