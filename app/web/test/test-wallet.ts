// A Wallet Standard wallet for the browser test (app/cli/tests/web.rs): it
// registers itself in the page the way a wallet extension does, holds one
// account whose key is the 32-byte Ed25519 seed the test gives it
// (`window.__pictorTestWallet.seed`, base64), and signs with WebCrypto. It
// offers only `solana:signTransaction`, so the page's relay path is what
// sends; `window.__pictorTestWallet.reject = true` makes it decline to sign
// as a person would (EIP-1193's code 4001).
import { getBase58Decoder, getBase64Encoder, getTransactionDecoder, getTransactionEncoder } from '@solana/kit';
import type { SignatureBytes } from '@solana/kit';
import {
    SolanaSignTransaction,
    type SolanaSignTransactionFeature,
    type SolanaSignTransactionInput,
    type SolanaSignTransactionOutput,
} from '@solana/wallet-standard-features';
import type { IdentifierString, Wallet, WalletAccount } from '@wallet-standard/base';
import {
    StandardConnect,
    type StandardConnectFeature,
    StandardEvents,
    type StandardEventsFeature,
    type StandardEventsListeners,
} from '@wallet-standard/features';
import { registerWallet } from '@wallet-standard/wallet';

interface Settings {
    seed: string;
    reject?: boolean;
    name?: string;
}

declare global {
    interface Window {
        __pictorTestWallet: Settings;
    }
}

const CHAINS: IdentifierString[] = ['solana:mainnet', 'solana:devnet', 'solana:testnet', 'solana:localnet'];
const ICON =
    'data:image/svg+xml;base64,' +
    btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><rect width="20" height="20" rx="4" fill="#5b3"/></svg>');

/** The seed as a PKCS#8 Ed25519 private key (RFC 8410), which WebCrypto imports. */
function pkcs8(seed: Uint8Array): Uint8Array<ArrayBuffer> {
    const prefix = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    return new Uint8Array([...prefix, ...seed]);
}

function fromBase64Url(text: string): Uint8Array {
    return new Uint8Array(getBase64Encoder().encode(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(44, '=')));
}

class RejectedError extends Error {
    code = 4001;
    constructor() {
        super('User rejected the request.');
    }
}

async function main(): Promise<void> {
    const settings = window.__pictorTestWallet;
    const seed = new Uint8Array(getBase64Encoder().encode(settings.seed));
    const key = await crypto.subtle.importKey('pkcs8', pkcs8(seed), { name: 'Ed25519' }, true, ['sign']);
    const jwk = await crypto.subtle.exportKey('jwk', key);
    const publicKey = fromBase64Url(jwk.x!);
    const address = getBase58Decoder().decode(publicKey);
    const account: WalletAccount = {
        address,
        publicKey,
        chains: CHAINS,
        features: [SolanaSignTransaction],
    };
    let accounts: WalletAccount[] = [];
    const listeners: StandardEventsListeners['change'][] = [];

    const connect: StandardConnectFeature[typeof StandardConnect]['connect'] = async () => {
        accounts = [account];
        for (const l of listeners) l({ accounts });
        return { accounts };
    };
    const on: StandardEventsFeature[typeof StandardEvents]['on'] = (_event, listener) => {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
    };
    const signTransaction = async (
        ...inputs: readonly SolanaSignTransactionInput[]
    ): Promise<readonly SolanaSignTransactionOutput[]> => {
        if (settings.reject) throw new RejectedError();
        const out: SolanaSignTransactionOutput[] = [];
        for (const input of inputs) {
            const tx = getTransactionDecoder().decode(input.transaction);
            if (!(address in tx.signatures)) throw new Error(`the transaction is not signed by ${address}`);
            const signature = new Uint8Array(
                await crypto.subtle.sign({ name: 'Ed25519' }, key, new Uint8Array(tx.messageBytes)),
            ) as SignatureBytes;
            const signed = { ...tx, signatures: { ...tx.signatures, [address]: signature } };
            out.push({ signedTransaction: new Uint8Array(getTransactionEncoder().encode(signed)) });
        }
        return out;
    };

    const features: StandardConnectFeature & StandardEventsFeature & SolanaSignTransactionFeature = {
        [StandardConnect]: { version: '1.0.0', connect },
        [StandardEvents]: { version: '1.0.0', on },
        [SolanaSignTransaction]: {
            version: '1.0.0',
            supportedTransactionVersions: ['legacy', 0],
            signTransaction,
        },
    };
    const wallet: Wallet = {
        version: '1.0.0',
        name: settings.name ?? 'Pictor Test Wallet',
        icon: ICON as Wallet['icon'],
        chains: CHAINS,
        features,
        get accounts() {
            return accounts;
        },
    };
    registerWallet(wallet);
}

void main();
