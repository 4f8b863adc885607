/**
 * A real SMTP server for e-mail tests (smtp-server): STARTTLS with a self-signed certificate made
 * for the test run (openssl; no key is committed), AUTH PLAIN and LOGIN after STARTTLS only, and
 * every accepted message parsed by mailparser and handed to whoever waits for it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mail: ParsedMail;
  envelopeFrom: string;
  envelopeTo: string[];
  /** The user it authenticated as, and how. */
  user: string | undefined;
  authMethod: string | undefined;
  /** Whether the connection had been upgraded to TLS. */
  secure: boolean;
}

export interface TestSmtpServer {
  port: number;
  /** The certificate to trust (PEM file). */
  caFile: string;
  /** Resolves with the next message the server accepts (at once when one is waiting). */
  next(): Promise<ReceivedMail>;
  /** How many logins the server refused. */
  refusedLogins: number;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** user: password pairs accepted by AUTH. */
  users?: Record<string, string>;
  /** Only these AUTH mechanisms are offered (PLAIN and LOGIN when absent). */
  authMethods?: string[];
  /** An SMTP reply code for RCPT TO of these addresses (a 4xx or 5xx refusal). */
  refuseRecipients?: Record<string, number>;
  /** false: a server that offers no STARTTLS (and takes AUTH in plain text). */
  starttls?: boolean;
  /** Each message's DATA is answered only once this resolves (a slow server; the message is noted as held first). */
  hold?: (held: { envelopeTo: string[] }) => Promise<void>;
}

/** A certificate for 127.0.0.1 and localhost, valid for a day; the directory (key included) is removed on close. */
function selfSigned(): { dir: string; key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-smtp-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { dir, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

export async function startSmtpServer(opts: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const tls = selfSigned();
  const users = opts.users ?? { mailer: 's3cret' };
  const waiting: Array<(m: ReceivedMail) => void> = [];
  const arrived: ReceivedMail[] = [];
  const deliver = (m: ReceivedMail) => {
    const w = waiting.shift();
    if (w) w(m);
    else arrived.push(m);
  };
  const state = { refusedLogins: 0 };
  const server = new SMTPServer({
    key: tls.key,
    cert: tls.cert,
    authMethods: opts.authMethods ?? ['PLAIN', 'LOGIN'],
    // smtp-server's default: no AUTH before STARTTLS, so an accepted login proves the upgrade.
    allowInsecureAuth: opts.starttls === false,
    disabledCommands: opts.starttls === false ? ['STARTTLS'] : [],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username !== undefined && users[auth.username] === auth.password) return cb(null, { user: { name: auth.username, method: auth.method } });
      state.refusedLogins += 1;
      return cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      const code = opts.refuseRecipients?.[address.address];
      if (code === undefined) return cb();
      return cb(Object.assign(new Error(`mailbox ${address.address} refused`), { responseCode: code }));
    },
    onData(stream, session, cb) {
      // Read before the reply: the server resets the envelope for the next message once it answers.
      const user = session.user as { name: string; method: string } | undefined;
      const seen = {
        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        envelopeTo: session.envelope.rcptTo.map((r) => r.address),
        user: user?.name,
        authMethod: user?.method,
        secure: session.secure,
      };
      simpleParser(stream)
        .then(async (mail) => {
          await opts.hold?.({ envelopeTo: seen.envelopeTo });
          cb();
          deliver({ mail, ...seen });
        })
        .catch((err: Error) => cb(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    caFile: tls.certFile,
    next: () => {
      const m = arrived.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
    },
    get refusedLogins() {
      return state.refusedLogins;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(tls.dir, { recursive: true, force: true });
    },
  };
}
