import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { ObjectCodec } from './object-codec';
import { KubeObject } from './types';

/** Where an encrypted Secret keeps its payload in the stored JSON. */
export const ENCRYPTED_FIELD = 'logbook.io/encrypted';

export interface EncryptionKey {
  /** Names the key in each ciphertext, so old rows stay readable after rotation. */
  id: string;
  /** 32 bytes for AES-256-GCM. */
  key: Buffer;
}

interface Envelope {
  keyId: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * Encryption at rest of Secrets (invariant 7): `data` and `stringData` of
 * every core/v1 Secret are sealed with AES-256-GCM before they reach
 * `events` or `resources`; metadata and `type` stay readable for history
 * queries. The first key encrypts; every key decrypts, so a key can be
 * rotated in. The object's identity (group/resource/namespace/name/uid) is
 * the GCM additional data: a ciphertext moved to another row does not open.
 */
export class SecretCodec implements ObjectCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('SecretCodec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`encryption key ${k.id} must be 32 bytes, not ${k.key.length}`);
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The key new payloads are sealed with (the key file's first). */
  get primaryKeyId(): string {
    return this.keys[0].id;
  }

  /** A stored Secret sealed again with the primary key: everything but the envelope unchanged. */
  reseal(object: KubeObject): KubeObject {
    const type = { group: '', resource: 'secrets' };
    return this.encode(type, this.decode(type, object));
  }

  encode(type: { group: string; resource: string }, object: KubeObject): KubeObject {
    if (!isSecret(type) || !('data' in object || 'stringData' in object)) return object;
    const { data, stringData, ...rest } = object as KubeObject & { data?: unknown; stringData?: unknown };
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(object));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ data, stringData }), 'utf8'), cipher.final()]);
    const envelope: Envelope = { keyId: id, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
    return { ...rest, [ENCRYPTED_FIELD]: envelope };
  }

  decode(type: { group: string; resource: string }, object: KubeObject): KubeObject {
    const envelope = object[ENCRYPTED_FIELD] as Envelope | undefined;
    if (!isSecret(type) || !envelope) return object;
    const key = this.byId.get(envelope.keyId);
    if (!key) throw new Error(`Secret ${object.metadata.namespace}/${object.metadata.name} is sealed with key "${envelope.keyId}", which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(aad(object));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    const plain = JSON.parse(Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]).toString('utf8'));
    const { [ENCRYPTED_FIELD]: _sealed, ...rest } = object;
    const out: KubeObject = { ...rest };
    if (plain.data !== undefined) out.data = plain.data;
    if (plain.stringData !== undefined) out.stringData = plain.stringData;
    return out;
  }
}

/** The id of the key that sealed a stored Secret, or undefined when it is not sealed. */
export function sealingKeyId(object: KubeObject): string | undefined {
  return (object[ENCRYPTED_FIELD] as Envelope | undefined)?.keyId;
}

const isSecret = (t: { group: string; resource: string }) => t.group === '' && t.resource === 'secrets';

function aad(o: KubeObject): Buffer {
  return Buffer.from(`secrets/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}/${o.metadata.uid ?? ''}`);
}

/**
 * Reads the key file (one `id:base64key` per line, the first encrypts), or
 * creates it with one fresh key, readable by its owner only.
 */
export function loadOrCreateKeys(file: string): EncryptionKey[] {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      // 'wx': of two processes starting at once, one creates and both read it.
      writeFileSync(file, `key1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const i = l.indexOf(':');
      if (i <= 0) throw new Error(`${file}: each line is id:base64key`);
      return { id: l.slice(0, i), key: Buffer.from(l.slice(i + 1), 'base64') };
    });
}
