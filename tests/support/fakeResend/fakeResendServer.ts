import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AttachmentData,
  EmailBouncedEvent,
  GetReceivingEmailResponseSuccess,
  InboundAttachment,
  WebhookEventPayload,
} from 'resend';
import { FakeResendWebhookSender, newWebhookSecret, resendEvents, type DeliveryEventType } from './webhookSender.js';

/**
 * A Resend-compatible HTTP server for tests: POST /emails (and GET /emails/:id) with Resend's
 * answers and idempotency rules, plus fault injection that can be changed while it runs. It also
 * receives: `receive()` stores an inbound email as Resend's inbound domain would, answered by
 * GET /emails/receiving/:id (`resend.emails.receiving.get`), and `receivedEvent()` is the
 * `email.received` webhook event that announces it. A received email's attachments are served as
 * Resend serves them: listed and fetched through GET /emails/receiving/:id/attachments[/:id]
 * (`resend.emails.receiving.attachments`), each with a signed `download_url` on the server's own
 * "CDN" path that expires (`downloadUrlTtlMs`, Resend's hour by default, on the server's clock) and
 * answers 403 once it has; a fresh one is had by asking the API again. GET /emails/receiving/:id
 * answers inline images in `html` as `data:` URIs unless `?html_format=cid`, as Resend does.
 *
 * Idempotency (as documented by Resend): a request with an Idempotency-Key that was already
 * answered successfully, with the same payload, answers the first result and sends nothing;
 * the same key with another payload is 409 `invalid_idempotent_request`; the same key while a
 * first request is still in progress is 409 `concurrent_idempotent_requests`. A request that
 * fails (4xx, 5xx) does not keep its key.
 *
 * Errors answer Resend's body `{ statusCode, name, message }`, which the SDK returns as `error`.
 */

export interface FakeResendFaults {
  /** Fraction of requests answered 500 `internal_server_error` (nothing sent). */
  serverErrorRate: number;
  /** Fraction answered 429 `rate_limit_exceeded` with `retry-after` (nothing sent). */
  rateLimitRate: number;
  retryAfterSeconds: number;
  /** Fraction whose answer comes `slowMs` late (the email is sent first: a client timeout loses the answer). */
  slowRate: number;
  slowMs: number;
  /** Fraction whose connection is destroyed after the email was sent (the answer is lost). */
  dropAfterSendRate: number;
  /** Fraction whose connection is destroyed before anything happens. */
  dropBeforeSendRate: number;
  /** Recipients refused with 422 `validation_error`. */
  rejectRecipients: string[];
  /** When set, every new email is refused with 429 and this name (not retryable). */
  quotaExceeded: 'daily_quota_exceeded' | 'monthly_quota_exceeded' | null;
  /** How long a request holds its key "in progress" before it sends. */
  processingMs: number;
  /** Whether the recipient gets Resend's own Message-ID instead of the one the desk set (as a provider may do). */
  rewriteMessageIds: boolean;
}

export const noFaults: Readonly<FakeResendFaults> = Object.freeze({
  serverErrorRate: 0,
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  slowRate: 0,
  slowMs: 0,
  dropAfterSendRate: 0,
  dropBeforeSendRate: 0,
  rejectRecipients: [],
  quotaExceeded: null,
  processingMs: 0,
  rewriteMessageIds: false,
});

export interface ReceivedEmail {
  id: string;
  idempotencyKey: string | null;
  from: string;
  to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  receivedAt: Date;
}

export interface RequestLogEntry {
  idempotencyKey: string | null;
  status: number | 'dropped';
  errorName: string | null;
  /** The request body as received. */
  payload: unknown;
}

interface KeyState {
  fingerprint: string;
  state: 'in_progress' | 'done';
  emailId?: string;
}

/** An email as it arrives at the inbound domain (what `receive` takes). */
export interface InboundEmail {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text?: string | null;
  html?: string | null;
  headers?: Record<string, string>;
  /** Its Message-ID (`<…>`); a fresh one unless given. */
  messageId?: string;
  /** When it arrived (default: now). */
  at?: Date;
  /**
   * Its attachments, as Resend lists them; with `content`, their bytes are served through the
   * attachments API and its expiring download URLs (without, only the metadata is).
   */
  attachments?: InboundAttachmentInput[];
}

/** An attachment of a received email: Resend's metadata (id and size filled in when left out) and its bytes. */
export type InboundAttachmentInput = Omit<InboundAttachment, 'id' | 'size' | 'content_id' | 'content_disposition'> & {
  id?: string;
  size?: number;
  content_id?: string | null;
  content_disposition?: string | null;
  content?: Uint8Array | string;
};

interface StoredAttachment {
  meta: InboundAttachment;
  content: Buffer | null;
}

const emailPattern = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** A small seeded PRNG, so a run's faults can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeResendServer {
  private faults: FakeResendFaults = { ...noFaults, rejectRecipients: [] };
  private readonly keys = new Map<string, KeyState>();
  private readonly deliveries = new Map<string, number>();
  private readonly requests = new Map<string, number>();
  private readonly emailsById = new Map<string, ReceivedEmail>();
  private readonly inbound = new Map<string, GetReceivingEmailResponseSuccess>();
  /** GET /emails/receiving/:id requests, per id (faults included). */
  private readonly receivingGets = new Map<string, number>();
  /** Received emails' attachments with their bytes, by email id. */
  private readonly inboundAttachments = new Map<string, StoredAttachment[]>();
  /** Download URLs handed out and downloads answered, per attachment id. */
  private readonly downloadUrlsIssued = new Map<string, number>();
  private readonly downloads = new Map<string, { ok: number; expired: number }>();
  /** Signs the download URLs (as Resend's CDN signs its own). */
  private readonly urlKey = randomUUID();
  /** The server's time: download URLs expire on it (a test moves it instead of sleeping). */
  private now: () => Date = () => new Date();
  /** How long a download URL works (Resend: one hour). */
  downloadUrlTtlMs = 60 * 60 * 1000;
  /**
   * Called as a download arrives, before its URL is checked: a test moves the server's clock
   * here to play a download that starts after its URL expired (a slow queue, clocks apart).
   */
  beforeDownload: ((attachmentId: string) => void) | null = null;
  /** Every email actually sent, in order. */
  readonly delivered: ReceivedEmail[] = [];
  /** Every POST /emails, in order of arrival. */
  readonly log: RequestLogEntry[] = [];
  private random: () => number;
  private hold: { arrived: () => void; released: Promise<void> } | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** The key clients must send (`Authorization: Bearer …`). */
    readonly apiKey: string,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  static async start(
    options: { apiKey?: string; seed?: number; port?: number; clock?: () => Date } = {},
  ): Promise<FakeResendServer> {
    const started: { instance?: FakeResendServer } = {};
    const server = createServer((req, res) => {
      res.on('error', () => undefined);
      if (!started.instance) return void res.writeHead(503).end();
      started.instance.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const apiKey = options.apiKey ?? `re_test_${randomUUID().replace(/-/g, '')}`;
    started.instance = new FakeResendServer(server, url, apiKey, options.seed ?? 42);
    if (options.clock) started.instance.now = options.clock;
    return started.instance;
  }

  /** The clock download URLs expire by (a test clock's `now`). */
  useClock(clock: () => Date): void {
    this.now = clock;
  }

  /** Changes some faults (the rest stay). */
  setFaults(faults: Partial<FakeResendFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  resetFaults(): void {
    this.faults = { ...noFaults, rejectRecipients: [] };
  }

  /**
   * Holds the next new email "in progress" (its key taken, nothing sent) until `release()`:
   * `arrived` settles once it is held, so a test can send into that window without guessing
   * how long it lasts.
   */
  holdNextSend(): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.hold = { arrived, released };
    return { arrived: arrivedPromise, release };
  }

  /** Emails actually sent with this idempotency key (a replay sends none). */
  deliveriesFor(key: string): number {
    return this.deliveries.get(key) ?? 0;
  }

  /** POST /emails requests received with this key (sends, replays and failures alike). */
  requestsFor(key: string): number {
    return this.requests.get(key) ?? 0;
  }

  /** Every key with its delivery count. */
  deliveryCounts(): Map<string, number> {
    return new Map(this.deliveries);
  }

  emailsFor(key: string): ReceivedEmail[] {
    return this.delivered.filter((e) => e.idempotencyKey === key);
  }

  /** Stores an inbound email (as Resend's inbound domain does) and answers its id. */
  receive(email: InboundEmail): string {
    const id = randomUUID();
    const messageId = email.messageId ?? `<${randomUUID()}@mail.example.test>`;
    const attachments = (email.attachments ?? []).map(({ content, ...meta }): StoredAttachment => {
      const bytes = content === undefined ? null : Buffer.from(content);
      return {
        meta: {
          id: meta.id ?? randomUUID(),
          filename: meta.filename,
          size: meta.size ?? bytes?.length ?? 0,
          content_type: meta.content_type,
          content_id: meta.content_id ?? null,
          content_disposition: meta.content_disposition ?? (meta.content_id ? 'inline' : 'attachment'),
        },
        content: bytes,
      };
    });
    this.inboundAttachments.set(id, attachments);
    this.inbound.set(id, {
      object: 'email',
      id,
      to: email.to,
      from: email.from,
      created_at: (email.at ?? new Date()).toISOString(),
      subject: email.subject,
      bcc: [],
      cc: email.cc ?? [],
      reply_to: [],
      received_for: email.to,
      html: email.html ?? null,
      text: email.text ?? null,
      headers: { 'Message-ID': messageId, ...email.headers },
      message_id: messageId,
      raw: null,
      attachments: attachments.map((a) => a.meta),
    });
    return id;
  }

  /** Download URLs handed out for this attachment (one per list or get that named it). */
  downloadUrlsIssuedFor(attachmentId: string): number {
    return this.downloadUrlsIssued.get(attachmentId) ?? 0;
  }

  /** Downloads of this attachment: answered with its bytes, and refused because the URL had expired. */
  downloadsOf(attachmentId: string): { ok: number; expired: number } {
    return { ...(this.downloads.get(attachmentId) ?? { ok: 0, expired: 0 }) };
  }

  /** The `email.received` webhook event for an email stored by `receive`. */
  receivedEvent(id: string, at = new Date()) {
    const email = this.inbound.get(id);
    if (!email) throw new Error(`no inbound email ${id}`);
    return resendEvents.received(
      {
        email_id: id,
        created_at: email.created_at,
        from: email.from,
        to: email.to,
        cc: email.cc ?? [],
        subject: email.subject,
        message_id: email.message_id,
      },
      at,
    );
  }

  /** GET /emails/receiving/:id requests made for this id. */
  receivingRequestsFor(id: string): number {
    return this.receivingGets.get(id) ?? 0;
  }

  /**
   * The delivery webhook event Resend would send about an email this server accepted (`id` as it
   * answered POST /emails): `email.sent`, `email.delivered`, `email.delivery_delayed`,
   * `email.bounced` (a permanent bounce unless `bounce` says otherwise) or `email.complained`.
   */
  deliveryEvent(
    id: string,
    type: DeliveryEventType,
    options: { at?: Date; bounce?: EmailBouncedEvent['data']['bounce'] } = {},
  ): WebhookEventPayload {
    const email = this.emailsById.get(id);
    if (!email) throw new Error(`no email ${id} was accepted`);
    const at = options.at ?? new Date();
    const data = {
      email_id: email.id,
      created_at: email.receivedAt.toISOString(),
      message_id: email.headers['Message-ID'] ?? `<${email.id}@resend.dev>`,
      from: email.from,
      to: email.to,
      subject: email.subject,
    };
    switch (type) {
      case 'email.sent':
        return resendEvents.sent(data, at);
      case 'email.delivered':
        return resendEvents.delivered(data, at);
      case 'email.delivery_delayed':
        return resendEvents.deliveryDelayed(data, at);
      case 'email.complained':
        return resendEvents.complained(data, at);
      case 'email.bounced':
        return resendEvents.bounced(data, options.bounce, at);
    }
  }

  /** The email this server accepted last for this recipient (what a delivery event is about). */
  lastEmailTo(recipient: string): ReceivedEmail | undefined {
    return this.delivered.findLast((e) => e.to.includes(recipient));
  }

  /** Resend's webhooks to `url` (a desk's `/api/webhooks/resend`), signed with `secret` (a fresh one unless given). */
  webhooksTo(url: string, secret = newWebhookSecret()): FakeResendWebhookSender {
    return new FakeResendWebhookSender(url, secret);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** An attachment as the attachments API answers it: with a download URL that works for `downloadUrlTtlMs`. */
  private attachmentData(emailId: string, { meta }: StoredAttachment): AttachmentData {
    this.downloadUrlsIssued.set(meta.id, (this.downloadUrlsIssued.get(meta.id) ?? 0) + 1);
    const expires = this.now().getTime() + this.downloadUrlTtlMs;
    const path = `/_inbound-cdn/${emailId}/attachments/${meta.id}`;
    return {
      id: meta.id,
      ...(meta.filename === null ? {} : { filename: meta.filename }),
      size: meta.size,
      content_type: meta.content_type,
      content_disposition: meta.content_disposition === 'inline' ? 'inline' : 'attachment',
      ...(meta.content_id === null ? {} : { content_id: meta.content_id }),
      download_url: `${this.url}${path}?expires=${expires}&signature=${this.urlSignature(path, expires)}`,
      expires_at: new Date(expires).toISOString(),
    };
  }

  private urlSignature(path: string, expires: number): string {
    return createHmac('sha256', this.urlKey).update(`${path}\n${expires}`).digest('hex');
  }

  /** A download URL: the bytes while it works; 403 once it expired or when its signature is not ours; 404 for nothing. */
  private download(res: ServerResponse, emailId: string, attachmentId: string, query: URLSearchParams): void {
    const path = `/_inbound-cdn/${emailId}/attachments/${attachmentId}`;
    const expires = Number(query.get('expires'));
    const signature = Buffer.from(query.get('signature') ?? '');
    const expected = Buffer.from(this.urlSignature(path, expires));
    if (!Number.isFinite(expires) || signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Request has invalid signature');
      return;
    }
    const counts = this.downloads.get(attachmentId) ?? { ok: 0, expired: 0 };
    this.downloads.set(attachmentId, counts);
    this.beforeDownload?.(attachmentId);
    if (this.now().getTime() >= expires) {
      counts.expired++;
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Request has expired');
      return;
    }
    const stored = this.inboundAttachments.get(emailId)?.find((a) => a.meta.id === attachmentId);
    if (!stored?.content) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    counts.ok++;
    res.writeHead(200, { 'content-type': stored.meta.content_type, 'content-length': String(stored.content.length) });
    res.end(stored.content);
  }

  private chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    // the download URLs are signed: they need no API key (as Resend's CDN)
    const cdnMatch = /^\/_inbound-cdn\/([\w-]+)\/attachments\/([\w.@-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && cdnMatch) return this.download(res, cdnMatch[1]!, cdnMatch[2]!, url.searchParams);
    const auth = req.headers.authorization;
    if (!auth) return error(res, 401, 'missing_api_key', 'Missing API key in the authorization header.');
    if (auth !== `Bearer ${this.apiKey}`) return error(res, 403, 'invalid_api_key', 'API key is invalid.');

    const attachmentsMatch = /^\/emails\/receiving\/([\w-]+)\/attachments(?:\/([\w.@-]+))?$/.exec(url.pathname);
    if (req.method === 'GET' && attachmentsMatch) {
      const [, emailId, attachmentId] = attachmentsMatch as unknown as [string, string, string | undefined];
      if (this.chance(this.faults.serverErrorRate)) {
        return error(res, 500, 'internal_server_error', 'An unexpected error occurred.');
      }
      const stored = this.inboundAttachments.get(emailId);
      if (!stored) return error(res, 404, 'not_found', 'Email not found.');
      if (attachmentId === undefined) {
        return json(res, 200, {
          object: 'list',
          has_more: false,
          data: stored.map((a) => this.attachmentData(emailId, a)),
        });
      }
      const one = stored.find((a) => a.meta.id === attachmentId);
      if (!one) return error(res, 404, 'not_found', 'Attachment not found.');
      return json(res, 200, { object: 'attachment', ...this.attachmentData(emailId, one) });
    }
    const receivingMatch = /^\/emails\/receiving\/([\w-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && receivingMatch) {
      const id = receivingMatch[1]!;
      this.receivingGets.set(id, (this.receivingGets.get(id) ?? 0) + 1);
      if (this.chance(this.faults.serverErrorRate)) {
        return error(res, 500, 'internal_server_error', 'An unexpected error occurred.');
      }
      const email = this.inbound.get(id);
      if (!email) return error(res, 404, 'not_found', 'Email not found.');
      if (url.searchParams.get('html_format') === 'cid') return json(res, 200, email);
      return json(res, 200, { ...email, html: withDataUris(email.html, this.inboundAttachments.get(id) ?? []) });
    }
    const getMatch = /^\/emails\/([\w-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && getMatch) {
      const email = this.emailsById.get(getMatch[1]!);
      if (!email) return error(res, 404, 'not_found', 'Email not found.');
      return json(res, 200, {
        object: 'email',
        id: email.id,
        to: email.to,
        from: email.from,
        subject: email.subject,
        html: email.html,
        text: email.text,
        created_at: email.receivedAt.toISOString(),
        last_event: 'delivered',
      });
    }
    if (url.pathname !== '/emails') return error(res, 404, 'not_found', 'The requested endpoint does not exist.');
    if (req.method !== 'POST')
      return error(res, 405, 'method_not_allowed', 'Method is not allowed for the requested path.');

    const key = headerValue(req.headers['idempotency-key']);
    let payload: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      payload = parsed as Record<string, unknown>;
    } catch {
      return error(res, 422, 'validation_error', 'The request body is not valid JSON.');
    }
    const entry: RequestLogEntry = { idempotencyKey: key, status: 200, errorName: null, payload };
    this.log.push(entry);
    const fail = (status: number, name: string, message: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      entry.errorName = name;
      error(res, status, name, message, headers);
    };
    if (key !== null) {
      if (key.length < 1 || key.length > 256) {
        return fail(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
      }
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    }

    const f = this.faults;
    if (this.chance(f.dropBeforeSendRate)) {
      entry.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (this.chance(f.serverErrorRate)) {
      return fail(500, 'internal_server_error', 'An unexpected error occurred.');
    }
    if (this.chance(f.rateLimitRate)) {
      return fail(429, 'rate_limit_exceeded', 'Too many requests. You can only make 2 requests per second.', {
        'retry-after': String(f.retryAfterSeconds),
        'ratelimit-limit': '2',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(f.retryAfterSeconds),
      });
    }

    const fingerprint = createHash('sha256').update(canonical(payload)).digest('hex');
    const known = key !== null ? this.keys.get(key) : undefined;
    let emailId: string;
    if (known) {
      if (known.fingerprint !== fingerprint) {
        return fail(
          409,
          'invalid_idempotent_request',
          'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
        );
      }
      if (known.state === 'in_progress') {
        return fail(
          409,
          'concurrent_idempotent_requests',
          'Same idempotency key used while original request is still in progress. Try the request again later.',
        );
      }
      emailId = known.emailId!;
    } else {
      if (f.quotaExceeded) {
        return fail(429, f.quotaExceeded, 'You have reached your sending quota.');
      }
      const invalid = validate(payload, f.rejectRecipients);
      if (invalid) return fail(422, invalid.name, invalid.message);
      const state: KeyState = { fingerprint, state: 'in_progress' };
      if (key !== null) this.keys.set(key, state);
      if (f.processingMs > 0) await sleep(f.processingMs);
      const hold = this.hold;
      if (hold) {
        this.hold = null;
        hold.arrived();
        await hold.released;
      }
      emailId = randomUUID();
      const email = toEmail(emailId, key, payload, this.faults);
      this.delivered.push(email);
      this.emailsById.set(emailId, email);
      if (key !== null) this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
      state.state = 'done';
      state.emailId = emailId;
    }

    if (this.chance(f.dropAfterSendRate)) {
      entry.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (this.chance(f.slowRate)) await sleep(f.slowMs);
    json(res, 200, { id: emailId });
  }
}

/** Resend's default `html`: each `cid:` reference to an inline attachment replaced by the image as a `data:` URI. */
function withDataUris(html: string | null, attachments: readonly StoredAttachment[]): string | null {
  if (html === null) return null;
  let answered = html;
  for (const { meta, content } of attachments) {
    if (!meta.content_id || !content) continue;
    const id = meta.content_id.replace(/^<|>$/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const reference = new RegExp(`cid:${id}`, 'gi');
    answered = answered.replace(reference, `data:${meta.content_type};base64,${content.toString('base64')}`);
  }
  return answered;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function error(
  res: ServerResponse,
  status: number,
  name: string,
  message: string,
  headers: Record<string, string> = {},
) {
  json(res, status, { statusCode: status, name, message }, headers);
}

function recipients(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

function validate(payload: Record<string, unknown>, rejected: string[]): { name: string; message: string } | undefined {
  if (typeof payload.from !== 'string' || !payload.from.trim()) {
    return { name: 'missing_required_field', message: 'Missing `from` field.' };
  }
  const to = recipients(payload.to);
  if (!to || to.length === 0) return { name: 'missing_required_field', message: 'Missing `to` field.' };
  if (to.length > 50) return { name: 'validation_error', message: 'Too many recipients: at most 50.' };
  const refused = to.find((address) => !emailPattern.test(address) || rejected.includes(address.toLowerCase()));
  if (refused !== undefined) {
    return {
      name: 'validation_error',
      message: `Invalid \`to\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
    };
  }
  if (typeof payload.subject !== 'string' || !payload.subject) {
    return { name: 'missing_required_field', message: 'Missing `subject` field.' };
  }
  if (typeof payload.html !== 'string' && typeof payload.text !== 'string') {
    return { name: 'validation_error', message: 'Either `html` or `text` must be provided.' };
  }
  if (payload.headers !== undefined && (typeof payload.headers !== 'object' || payload.headers === null)) {
    return { name: 'validation_error', message: 'Invalid `headers` field.' };
  }
  return undefined;
}

/**
 * The email as its recipient gets it: Resend's `reply_to` becomes the Reply-To header, and with
 * `rewriteMessageIds` the Message-ID is Resend's own.
 */
function toEmail(
  id: string,
  key: string | null,
  payload: Record<string, unknown>,
  faults: Pick<FakeResendFaults, 'rewriteMessageIds'> = noFaults,
): ReceivedEmail {
  const replyTo = recipients(payload.reply_to);
  const headers = {
    ...((payload.headers as Record<string, string> | undefined) ?? {}),
    ...(replyTo?.length ? { 'Reply-To': replyTo.join(', ') } : {}),
    ...(faults.rewriteMessageIds ? { 'Message-ID': `<${id}@email.resend.test>` } : {}),
  };
  return {
    id,
    idempotencyKey: key,
    from: String(payload.from),
    to: recipients(payload.to) ?? [],
    subject: String(payload.subject),
    html: typeof payload.html === 'string' ? payload.html : null,
    text: typeof payload.text === 'string' ? payload.text : null,
    headers,
    receivedAt: new Date(),
  };
}
