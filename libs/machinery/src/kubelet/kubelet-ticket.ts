import { createPrivateKey, sign, verify, X509Certificate } from 'crypto';

/**
 * What the API server says about one request it sends to a kubelet: which
 * node, method and path (query included), and until when it holds.
 */
export interface KubeletTicketClaims {
  node: string;
  method: string;
  path: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** How long a ticket holds: the request is made right after it is signed. */
export const KUBELET_TICKET_SECONDS = 60;

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * A ticket for one kubelet request (logs, exec, port-forward), signed by the
 * API server with the cluster CA's key: the kubelet checks it with the CA
 * certificate it already trusts, so only the API server — which
 * authenticated and authorized the user first — reaches a kubelet's
 * endpoints. (Kubernetes has the kubelet check the API server's client
 * certificate; the kubelet endpoint here is plain HTTP, so the proof
 * travels in the request: `Authorization: Bearer <ticket>`.) Bound to the
 * node, method and path, so it opens nothing else, and short-lived.
 */
export function signKubeletTicket(caKeyPem: string, claims: Omit<KubeletTicketClaims, 'exp'>, nowMs = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(nowMs / 1000) + KUBELET_TICKET_SECONDS }));
  const signature = sign('sha256', payload, createPrivateKey(caKeyPem));
  return `${b64url(payload)}.${b64url(signature)}`;
}

/** Checks a ticket against the CA certificate and the request; the reason it fails, or undefined when it holds. */
export function checkKubeletTicket(caCertPem: string, ticket: string, expected: Omit<KubeletTicketClaims, 'exp'>, nowMs = Date.now()): string | undefined {
  const [payloadPart, signaturePart, extra] = ticket.split('.');
  if (!payloadPart || !signaturePart || extra !== undefined) return 'malformed ticket';
  const payload = Buffer.from(payloadPart, 'base64url');
  let valid = false;
  try {
    valid = verify('sha256', payload, new X509Certificate(caCertPem).publicKey, Buffer.from(signaturePart, 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return 'the ticket is not signed by the cluster CA';
  let claims: Partial<KubeletTicketClaims>;
  try {
    claims = JSON.parse(payload.toString('utf8')) as Partial<KubeletTicketClaims>;
  } catch {
    return 'malformed ticket';
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < nowMs) return 'the ticket has expired';
  if (claims.node !== expected.node || claims.method !== expected.method || claims.path !== expected.path) return 'the ticket is for another request';
  return undefined;
}
