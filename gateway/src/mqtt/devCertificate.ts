// The TLS certificate for the mqtts listener: configured files, or for development a self-signed one made
// once into the data dir by the system's openssl (node:crypto cannot write X.509 certificates).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export function loadTlsCertificate(opts: { certFile?: string; keyFile?: string; dataDir: string; log: Logger }): {
  cert: Buffer;
  key: Buffer;
} {
  if (opts.certFile && opts.keyFile) return { cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile) };
  const cert = join(opts.dataDir, 'tls-dev-cert.pem');
  const key = join(opts.dataDir, 'tls-dev-key.pem');
  if (!existsSync(cert) || !existsSync(key)) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '825',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    opts.log.warn(
      { cert },
      'mqtts: generated a self-signed development certificate; configure mqtts.certFile and mqtts.keyFile in production',
    );
  }
  return { cert: readFileSync(cert), key: readFileSync(key) };
}
