/**
 * An STS stand-in for the Kinesis role tests: AWS STS cannot run on this machine, and kinesalite
 * has no STS, so this answers AssumeRole over HTTP in STS's own wire format (AWS Query: a form body
 * in, XML out) to the AWS SDK's real STS client, and records every call. Credentials it hands out
 * name their role, so a test can tell which role signed a PutRecords call.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AssumeRoleCall {
  roleArn: string;
  externalId: string | null;
  roleSessionName: string;
  durationSeconds: number | null;
  /** The access key id that signed the call (the caller's own credentials). */
  callerKeyId: string | null;
}

export interface StsStandIn {
  url: string;
  calls: AssumeRoleCall[];
  /** Roles whose trust policy refuses verifyd (AccessDenied); none by default. */
  refuse: (call: AssumeRoleCall) => boolean;
  /** Calls that get no answer at all (the connection stays open); none by default. */
  hang: (call: AssumeRoleCall) => boolean;
  /** Lifetime of the credentials handed out, in seconds (default: the DurationSeconds asked for). */
  lifetimeSeconds: number | null;
  close(): Promise<void>;
}

/** The temporary access key id the stand-in issues for a role and external id (always the same). */
export const assumedKeyId = (roleArn: string, externalId: string | null): string =>
  `ASIA${createHash('sha256').update(`${roleArn}\n${externalId}`).digest('hex').slice(0, 16).toUpperCase()}`;

export const signerKeyId = (authorization: string | undefined): string | null => /Credential=([^/]+)\//.exec(authorization ?? '')?.[1] ?? null;

const xml = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

export async function startSts(): Promise<StsStandIn> {
  const sts: StsStandIn = { url: '', calls: [], refuse: () => false, hang: () => false, lifetimeSeconds: null, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('Action') !== 'AssumeRole') {
        res.writeHead(400, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${xml(String(form.get('Action')))}</Message></Error></ErrorResponse>`);
        return;
      }
      const call: AssumeRoleCall = {
        roleArn: form.get('RoleArn') ?? '',
        externalId: form.get('ExternalId'),
        roleSessionName: form.get('RoleSessionName') ?? '',
        durationSeconds: form.has('DurationSeconds') ? Number(form.get('DurationSeconds')) : null,
        callerKeyId: signerKeyId(req.headers.authorization),
      };
      sts.calls.push(call);
      if (sts.hang(call)) return;
      if (sts.refuse(call)) {
        const message = `User: arn:aws:iam::000000000000:user/verifyd is not authorized to perform: sts:AssumeRole on resource: ${call.roleArn}`;
        res.writeHead(403, { 'content-type': 'text/xml' }).end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${xml(message)}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
        );
        return;
      }
      const keyId = assumedKeyId(call.roleArn, call.externalId);
      const expiration = new Date(Date.now() + (sts.lifetimeSeconds ?? call.durationSeconds ?? 3600) * 1000).toISOString();
      const role = call.roleArn.split('/').pop();
      res.writeHead(200, { 'content-type': 'text/xml' }).end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
          `<Credentials><AccessKeyId>${keyId}</AccessKeyId><SecretAccessKey>secret-${keyId}</SecretAccessKey>` +
          `<SessionToken>token-${keyId}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          `<AssumedRoleUser><AssumedRoleId>AROA0000:${xml(call.roleSessionName)}</AssumedRoleId>` +
          `<Arn>arn:aws:sts::000000000000:assumed-role/${xml(role ?? '')}/${xml(call.roleSessionName)}</Arn></AssumedRoleUser>` +
          `</AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sts.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sts.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sts;
}
