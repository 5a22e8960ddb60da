// IMDSv2 as an instance sees it at 169.254.169.254, served inside the instance's own network
// namespace from facts the instance host writes (what EC2 knows of the instance: its id, tags,
// metadata options, role credentials). Token PUT with a TTL, tokens required when the instance's
// HttpTokens is "required", tags under tags/instance only with InstanceMetadataTags enabled, and
// a token request carrying X-Forwarded-For refused, as EC2 refuses one relayed by a proxy. Every
// process of the instance is one hop from it, so any HttpPutResponseHopLimit of 1 or more holds.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ImdsFacts {
  instanceId: string;
  region: string;
  availabilityZone: string;
  privateIp: string;
  localHostname: string;
  instanceType: string;
  amiId: string;
  tags: Record<string, string>;
  metadata: {
    httpTokens: 'required' | 'optional';
    httpEndpoint: 'enabled' | 'disabled';
    hopLimit: number;
    tags: boolean;
  };
  iamRole?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class Imds {
  private readonly tokens = new Map<string, number>();

  constructor(private readonly facts: () => Promise<ImdsFacts | undefined>) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const facts = await this.facts();
    const url = new URL(req.url ?? '/', 'http://169.254.169.254');
    if (!facts || facts.metadata.httpEndpoint === 'disabled') return void req.socket.destroy();
    if (url.pathname === '/latest/api/token') return this.token(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, '');
    const token = req.headers['x-aws-ec2-metadata-token'];
    const valid = typeof token === 'string' && (this.tokens.get(token) ?? 0) > Date.now();
    if (typeof token === 'string' && !valid) return text(res, 401, '');
    if (!valid && facts.metadata.httpTokens === 'required') return text(res, 401, '');
    const body = answer(url.pathname, facts);
    if (body === undefined) return text(res, 404, notFound(url.pathname));
    return text(res, 200, body, body.startsWith('{') ? 'application/json' : 'text/plain');
  }

  private token(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'PUT') return text(res, 405, '');
    if (req.headers['x-forwarded-for']) return text(res, 403, '');
    const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return text(res, 400, '');
    const token = randomBytes(40).toString('base64');
    this.tokens.set(token, Date.now() + ttl * 1000);
    for (const [t, until] of this.tokens) if (until < Date.now()) this.tokens.delete(t);
    res.setHeader('x-aws-ec2-metadata-token-ttl-seconds', String(ttl));
    return text(res, 200, token);
  }
}

/** The answer to a GET of `path`, or undefined where EC2 answers 404. */
export function answer(path: string, facts: ImdsFacts): string | undefined {
  const p = path.replace(/\/+$/, '');
  const meta = '/latest/meta-data';
  const role = facts.iamRole;
  const simple: Record<string, string> = {
    [`${meta}/instance-id`]: facts.instanceId,
    [`${meta}/instance-type`]: facts.instanceType,
    [`${meta}/ami-id`]: facts.amiId,
    [`${meta}/local-ipv4`]: facts.privateIp,
    [`${meta}/local-hostname`]: facts.localHostname,
    [`${meta}/hostname`]: facts.localHostname,
    [`${meta}/placement/region`]: facts.region,
    [`${meta}/placement/availability-zone`]: facts.availabilityZone,
  };
  if (simple[p] !== undefined) return simple[p];
  if (p === meta)
    return [
      'ami-id',
      'hostname',
      'iam/',
      'instance-id',
      'instance-type',
      'local-hostname',
      'local-ipv4',
      'placement/',
      ...(facts.metadata.tags ? ['tags/'] : []),
    ].join('\n');
  if (p === `${meta}/placement`) return 'availability-zone\nregion';
  if (p === `${meta}/iam`) return role ? 'info\nsecurity-credentials/' : undefined;
  if (p === `${meta}/iam/security-credentials`) return role;
  if (role && facts.credentials && p === `${meta}/iam/security-credentials/${role}`) {
    const now = new Date();
    return JSON.stringify({
      Code: 'Success',
      LastUpdated: now.toISOString(),
      Type: 'AWS-HMAC',
      AccessKeyId: facts.credentials.accessKeyId,
      SecretAccessKey: facts.credentials.secretAccessKey,
      Token: `sandbox-session-${facts.instanceId}`,
      Expiration: new Date(now.getTime() + 6 * 3600_000).toISOString(),
    });
  }
  if (p === `${meta}/tags`) return facts.metadata.tags ? 'instance' : undefined;
  if (p === `${meta}/tags/instance`) return facts.metadata.tags ? Object.keys(facts.tags).sort().join('\n') : undefined;
  if (p.startsWith(`${meta}/tags/instance/`) && facts.metadata.tags)
    return facts.tags[decodeURIComponent(p.slice(`${meta}/tags/instance/`.length))];
  if (p === '/latest/dynamic/instance-identity/document')
    return JSON.stringify({
      accountId: '123456789012',
      architecture: 'x86_64',
      availabilityZone: facts.availabilityZone,
      imageId: facts.amiId,
      instanceId: facts.instanceId,
      instanceType: facts.instanceType,
      privateIp: facts.privateIp,
      region: facts.region,
      version: '2017-09-30',
    });
  return undefined;
}

function notFound(path: string): string {
  return `<?xml version="1.0" encoding="iso-8859-1"?>\n<title>404 - Not Found</title>\n<!-- ${path} -->\n`;
}

function text(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), server: 'EC2ws' });
  res.end(body);
}
