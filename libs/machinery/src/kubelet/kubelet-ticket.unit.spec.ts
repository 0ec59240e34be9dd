import 'reflect-metadata';
import { createPrivateKey, generateKeyPairSync, webcrypto } from 'crypto';
import * as x509 from '@peculiar/x509';
import { checkKubeletTicket, KUBELET_TICKET_SECONDS, signKubeletTicket } from './kubelet-ticket';

/** A self-signed ECDSA P-256 CA, like the cluster's. */
async function selfSignedCa(): Promise<{ cert: string; key: string }> {
  x509.cryptoProvider.set(webcrypto as never);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=test-ca', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), signingAlgorithm: alg, keys: keys as never });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { cert: cert.toString('pem'), key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string };
}

describe('kubelet tickets', () => {
  let ca: { cert: string; key: string };

  beforeAll(async () => {
    ca = await selfSignedCa();
  });

  const request = { node: 'node-1', method: 'GET', path: '/exec/default/web/main?command=ls&stdout=true' };

  it('holds for the request it was signed for, checked with the CA certificate', () => {
    expect(checkKubeletTicket(ca.cert, signKubeletTicket(ca.key, request), request)).toBeUndefined();
  });

  it('opens nothing else: another node, method or path', () => {
    const ticket = signKubeletTicket(ca.key, request);
    expect(checkKubeletTicket(ca.cert, ticket, { ...request, node: 'node-2' })).toBe('the ticket is for another request');
    expect(checkKubeletTicket(ca.cert, ticket, { ...request, method: 'POST' })).toBe('the ticket is for another request');
    expect(checkKubeletTicket(ca.cert, ticket, { ...request, path: '/exec/default/web/main?command=rm&stdout=true' })).toBe('the ticket is for another request');
  });

  it('expires', () => {
    const now = Date.now();
    const ticket = signKubeletTicket(ca.key, request, now);
    expect(checkKubeletTicket(ca.cert, ticket, request, now + (KUBELET_TICKET_SECONDS - 1) * 1000)).toBeUndefined();
    expect(checkKubeletTicket(ca.cert, ticket, request, now + (KUBELET_TICKET_SECONDS + 1) * 1000)).toBe('the ticket has expired');
  });

  it('refuses a ticket signed by another key, a tampered one, and garbage', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(checkKubeletTicket(ca.cert, signKubeletTicket(other, request), request)).toBe('the ticket is not signed by the cluster CA');
    const [, sig] = signKubeletTicket(ca.key, request).split('.');
    const forged = Buffer.from(JSON.stringify({ ...request, path: '/exec/default/web/main?command=rm', exp: 9e9 })).toString('base64url');
    expect(checkKubeletTicket(ca.cert, `${forged}.${sig}`, { ...request, path: '/exec/default/web/main?command=rm' })).toBe('the ticket is not signed by the cluster CA');
    expect(checkKubeletTicket(ca.cert, 'nonsense', request)).toBe('malformed ticket');
  });
});
