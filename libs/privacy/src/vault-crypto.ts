import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { normaliserCpr } from '@hub/domain';

const ALG = 'aes-256-gcm';

/** AES-256-GCM with a random 96-bit IV: `iv | tag | ciphertext`, bound to `aad`. */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALG, key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv(ALG, key, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

export interface VaultKeys {
  /** Wraps the per-borger data keys. */
  readonly kek: Buffer;
  /** Keys the CPR blind index. */
  readonly indexKey: Buffer;
}

/** Both keys derive from the master key the same way in every adapter, so one master key reads any of them. */
export function deriveVaultKeys(masterKey: Buffer): VaultKeys {
  if (masterKey.length !== 32) throw new Error('The PII master key must be 32 bytes (HUB_PII_MASTER_KEY, base64)');
  return {
    kek: Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'ffb-hub pii key-encryption', 32)),
    indexKey: Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'ffb-hub cpr blind index', 32)),
  };
}

/** The keyed blind index of a CPR (HMAC-SHA256 of the form without a dash). */
export const blindIndex = (keys: VaultKeys, cpr: string): Buffer =>
  createHmac('sha256', keys.indexKey).update(normaliserCpr(cpr)).digest();

/** What the vault check row holds: proof, without any borger, that the vault was created under this master key. */
export const sealVaultCheck = (keys: VaultKeys): Buffer => seal(keys.kek, Buffer.from('ffb-hub'), 'vault-check');

export function opensVaultCheck(keys: VaultKeys, sealed: Buffer): boolean {
  try {
    open(keys.kek, sealed, 'vault-check');
    return true;
  } catch {
    return false;
  }
}

/** A new borger's row: a random data key wrapped under the KEK, and the CPR sealed under the data key. */
export function newBorgerSecrets(keys: VaultKeys, borgerId: string, cpr: string): { dataKey: Buffer; cpr: Buffer } {
  const key = randomBytes(32);
  return {
    dataKey: seal(keys.kek, key, `data-key:${borgerId}`),
    cpr: seal(key, Buffer.from(normaliserCpr(cpr)), `cpr:${borgerId}`),
  };
}

/** The borger's data key, or null when it was erased. */
export const unwrapDataKey = (keys: VaultKeys, borgerId: string, wrapped: Buffer | null): Buffer | null =>
  wrapped ? open(keys.kek, wrapped, `data-key:${borgerId}`) : null;

export const openCpr = (dataKey: Buffer, borgerId: string, sealed: Buffer): string =>
  open(dataKey, sealed, `cpr:${borgerId}`).toString();

export const sealText = (dataKey: Buffer, borgerId: string, plaintext: string): string =>
  seal(dataKey, Buffer.from(plaintext), `text:${borgerId}`).toString('base64');

export const openText = (dataKey: Buffer, borgerId: string, ciphertext: string): string =>
  open(dataKey, Buffer.from(ciphertext, 'base64'), `text:${borgerId}`).toString();

/** The refusal to open a vault with another master key than the one it was created with. */
export const wrongMasterKey = (where: string): Error =>
  new Error(`The PII vault ${where} was created with another master key; set HUB_PII_MASTER_KEY to that key`);
