/**
 * The local tenant's TLS material: a throw-away CA and a server certificate for `localhost` and
 * `127.0.0.1`, generated once into the state folder. a0deploy and the auth0 SDK only speak
 * `https://<domain>`; their processes trust the CA through NODE_EXTRA_CA_CERTS.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type Forge from 'node-forge';

/** node-forge, loaded only when certificates are generated (once per state folder). */
const forge = (): typeof Forge => require('node-forge') as typeof Forge;
import { writeFileAtomic } from './atomic-file';

export interface TlsMaterial {
  caPath: string;
  cert: string;
  key: string;
  ca: string;
}

const YEARS = 10;

/** An RSA key pair from Node's native generator (node-forge's own is slow), as forge keys. */
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    privatePem,
    privateKey: forge().pki.privateKeyFromPem(privatePem),
    publicKey: forge().pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function certificate(subject: string, publicKey: Forge.pki.PublicKey): Forge.pki.Certificate {
  const cert = forge().pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`; // positive, 16 bytes
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + YEARS * 365 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

function generate(): { ca: string; cert: string; key: string } {
  const caKeys = keyPair();
  const ca = certificate('auth0-root-attributes local tenant CA', caKeys.publicKey);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge().md.sha256.create());

  const serverKeys = keyPair();
  const server = certificate('localhost', serverKeys.publicKey);
  server.setIssuer(ca.subject.attributes);
  server.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKeys.privateKey, forge().md.sha256.create());
  return { ca: forge().pki.certificateToPem(ca), cert: forge().pki.certificateToPem(server), key: serverKeys.privatePem };
}

/** Reads the TLS material from `dir`, generating it on first use. */
export function ensureTlsMaterial(dir: string): TlsMaterial {
  const files = { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server-key.pem') };
  if (!existsSync(files.ca) || !existsSync(files.cert) || !existsSync(files.key)) {
    const material = generate();
    // The key first and the CA last: a CA file on disk means the set is complete.
    writeFileAtomic(files.key, material.key, 0o600);
    // The certificate and the CA are public: whoever trusts the tenant reads them.
    writeFileAtomic(files.cert, material.cert, 0o644);
    writeFileAtomic(files.ca, material.ca, 0o644);
  }
  return { caPath: files.ca, ca: readFileSync(files.ca, 'utf8'), cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
}
