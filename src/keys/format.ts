/**
 * @module The client key format: `sk-me-` + id (12) + random part (43) + MAC (16), base64url.
 * The MAC is an HMAC-SHA256 of everything before it under `CLIENT_KEY_SECRET`, so a made-up or
 * mistyped key is refused before any lookup (and costs no KV read), as GitHub's checksummed tokens
 * are. The id is not secret (the admin API lists it); the random part is what no one can guess.
 */
import { sha256Hex } from '../sha256.ts';

export const KEY_PREFIX = 'sk-me-';
/** 9 random bytes: unique among the keys of one deployment. */
const ID_BYTES = 9;
/** 32 random bytes: the key's secret part. */
const SECRET_BYTES = 32;
/** 12 of the MAC's 32 bytes: 96 bits, far beyond what guessing online could reach. */
const MAC_BYTES = 12;
const KEY_PATTERN = /^sk-me-([A-Za-z0-9_-]{12})[A-Za-z0-9_-]{43}[A-Za-z0-9_-]{16}$/;
/** The length of every key; anything else is refused without a look. */
export const KEY_LENGTH = KEY_PREFIX.length + 12 + 43 + 16;

const encoder = new TextEncoder();

/** A new key signed with `secret`, and its id. */
export async function mintKey(secret: CryptoKey): Promise<{ id: string; key: string }> {
  const id = base64url(crypto.getRandomValues(new Uint8Array(ID_BYTES)));
  const body = KEY_PREFIX + id + base64url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
  return { id, key: body + base64url(await mac(secret, body)) };
}

/** The key's id when it has the key format, else undefined. Checks nothing cryptographic. */
export function keyIdOf(key: string): string | undefined {
  return key.length === KEY_LENGTH ? KEY_PATTERN.exec(key)?.[1] : undefined;
}

/** Whether the key's MAC was made with one of `secrets` (the current one, or the one before a rotation). */
export async function macIsValid(key: string, secrets: readonly CryptoKey[]): Promise<boolean> {
  const body = key.slice(0, -16);
  const presented = fromBase64url(key.slice(-16));
  for (const secret of secrets) {
    if (crypto.subtle.timingSafeEqual(presented, await mac(secret, body))) return true;
  }
  return false;
}

/** What the store keeps instead of the key: its SHA-256, hex. */
export function keyHash(key: string): Promise<string> {
  return sha256Hex(key);
}

async function mac(secret: CryptoKey, body: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', secret, encoder.encode(body))).slice(0, MAC_BYTES);
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
}
