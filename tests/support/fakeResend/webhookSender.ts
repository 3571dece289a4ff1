import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type {
  EmailBouncedEvent,
  EmailComplainedEvent,
  EmailDeliveredEvent,
  EmailDeliveryDelayedEvent,
  EmailReceivedEvent,
  EmailSentEvent,
  WebhookEventPayload,
} from 'resend';

/**
 * Resend's webhooks, as Resend sends them: a JSON event signed with the Svix scheme that
 * standardwebhooks (and so `resend.webhooks.verify`) checks. Headers `svix-id` (the delivery id,
 * the same for every retry and replay), `svix-timestamp` (seconds, this attempt's) and
 * `svix-signature`: `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with
 * the base64-decoded part of the secret after `whsec_`. Written here from that description,
 * not with the verifier's own library, so the tests show the SDK agrees with it.
 *
 * Faults: retries of a delivery (each attempt re-signed with its own timestamp), duplicates (the
 * very same signed request twice at once), deliveries out of order (reversed, or in any order
 * given), replays with a new timestamp, a forged signature, a body changed after signing, a
 * stale timestamp, no signature. The delivery events of an email the fake server accepted come
 * from `FakeResendServer.deliveryEvent`.
 */

/** A fresh signing secret in Resend's form: `whsec_` and the base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** `v1,<signature>` for this id, timestamp (seconds) and exact body. */
export function signResendWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export interface WebhookDelivery {
  /** The svix-id. */
  id: string;
  event: WebhookEventPayload;
  /** The body exactly as sent (and signed). */
  body: string;
}

export interface WebhookAttempt {
  id: string;
  timestampSeconds: number | null;
  fault: WebhookFault | null;
  status: number;
  answer: Record<string, unknown>;
}

export type WebhookFault = 'unsigned' | 'forged' | 'tampered' | 'stale';

export interface SendOptions {
  /** When this attempt is signed (default: the sender's now). */
  at?: Date;
  fault?: WebhookFault;
  /** How old a stale timestamp is (default 6 minutes: beyond the 5 minutes allowed). */
  staleByMs?: number;
  /** Extra request headers (a client address through a proxy, a session cookie…). */
  headers?: Record<string, string>;
}

const SIX_MINUTES = 6 * 60 * 1000;

/** Posts Resend's webhook deliveries to `url` (the desk's `/api/webhooks/resend`). */
export class FakeResendWebhookSender {
  /** Every attempt made, in order. */
  readonly attempts: WebhookAttempt[] = [];

  constructor(
    private readonly url: string,
    /** The signing secret the receiver was given (RESEND_WEBHOOK_SECRET). */
    readonly secret: string,
    /** The sender's time (the signing timestamp); the verifier compares it with its own. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A delivery of this event, with a new svix-id unless one is given. */
  delivery(event: WebhookEventPayload, id = `msg_${randomUUID().replace(/-/g, '')}`): WebhookDelivery {
    return { id, event, body: JSON.stringify(event) };
  }

  /** One attempt, signed as Resend signs it unless a fault says otherwise. */
  async send(delivery: WebhookDelivery, options: SendOptions = {}): Promise<WebhookAttempt> {
    const { headers, timestampSeconds, body } = this.signed(delivery, options);
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Svix-Webhooks/1.0', ...headers },
      body,
    });
    const text = await res.text();
    const attempt: WebhookAttempt = {
      id: delivery.id,
      timestampSeconds,
      fault: options.fault ?? null,
      status: res.status,
      answer: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    this.attempts.push(attempt);
    return attempt;
  }

  /** Resend retrying one delivery: `times` more attempts, one after another, each signed anew. */
  async retries(delivery: WebhookDelivery, times: number, options: SendOptions = {}): Promise<WebhookAttempt[]> {
    const attempts: WebhookAttempt[] = [];
    for (let i = 0; i < times; i++) attempts.push(await this.send(delivery, options));
    return attempts;
  }

  /** The very same signed request `copies` times at once (a duplicate on the way). */
  async duplicates(delivery: WebhookDelivery, copies = 2, options: SendOptions = {}): Promise<WebhookAttempt[]> {
    const at = options.at ?? this.now();
    return Promise.all(Array.from({ length: copies }, () => this.send(delivery, { ...options, at })));
  }

  /** Several deliveries, last first (a `delivered` arriving before its `sent`). */
  async outOfOrder(deliveries: WebhookDelivery[], options: SendOptions = {}): Promise<WebhookAttempt[]> {
    const attempts: WebhookAttempt[] = [];
    for (const delivery of [...deliveries].reverse()) attempts.push(await this.send(delivery, options));
    return attempts;
  }

  /**
   * Deliveries in the order given by `order` (indexes into `deliveries`): Resend's delivery
   * events are not ordered, so a `delivery_delayed` can follow the `delivered` it preceded.
   */
  async inOrder(deliveries: WebhookDelivery[], order: number[], options: SendOptions = {}): Promise<WebhookAttempt[]> {
    const attempts: WebhookAttempt[] = [];
    for (const index of order) {
      const delivery = deliveries[index];
      if (!delivery) throw new Error(`no delivery ${index}`);
      attempts.push(await this.send(delivery, options));
    }
    return attempts;
  }

  /** A replay (Resend's dashboard, or an attacker with a valid request): same id and body, a new timestamp. */
  replay(delivery: WebhookDelivery, options: SendOptions = {}): Promise<WebhookAttempt> {
    return this.send(delivery, { ...options, at: options.at ?? this.now() });
  }

  private signed(delivery: WebhookDelivery, options: SendOptions) {
    const extra = options.headers ?? {};
    if (options.fault === 'unsigned') return { headers: extra, timestampSeconds: null, body: delivery.body };
    const atMs =
      (options.at ?? this.now()).getTime() - (options.fault === 'stale' ? (options.staleByMs ?? SIX_MINUTES) : 0);
    const timestampSeconds = Math.floor(atMs / 1000);
    const secret = options.fault === 'forged' ? newWebhookSecret() : this.secret;
    const signature = signResendWebhook(secret, delivery.id, timestampSeconds, delivery.body);
    // tampered: signed as it was, changed on the way
    const body = options.fault === 'tampered' ? delivery.body.replace(/}$/, ',"tampered":true}') : delivery.body;
    return {
      headers: {
        'svix-id': delivery.id,
        'svix-timestamp': String(timestampSeconds),
        'svix-signature': signature,
        ...extra,
      },
      timestampSeconds,
      body,
    };
  }
}

/* ------------------------------------------------ events as Resend documents them */

type SentEmail = EmailSentEvent['data'];
const iso = (at: Date) => at.toISOString();

/** Events typed by the SDK's own `WebhookEventPayload` (what Resend sends for each type). */
export const resendEvents = {
  received(
    data: Partial<EmailReceivedEvent['data']> & Pick<EmailReceivedEvent['data'], 'from' | 'to' | 'subject'>,
    at = new Date(),
  ): EmailReceivedEvent {
    return {
      type: 'email.received',
      created_at: iso(at),
      data: {
        email_id: randomUUID(),
        created_at: iso(at),
        bcc: [],
        cc: [],
        received_for: data.to,
        message_id: `<${randomUUID()}@mail.example.test>`,
        attachments: [],
        ...data,
      },
    };
  },
  sent: (email: SentEmail, at = new Date()): EmailSentEvent => ({
    type: 'email.sent',
    created_at: iso(at),
    data: email,
  }),
  delivered: (email: SentEmail, at = new Date()): EmailDeliveredEvent => ({
    type: 'email.delivered',
    created_at: iso(at),
    data: email,
  }),
  deliveryDelayed: (email: SentEmail, at = new Date()): EmailDeliveryDelayedEvent => ({
    type: 'email.delivery_delayed',
    created_at: iso(at),
    data: email,
  }),
  complained: (email: SentEmail, at = new Date()): EmailComplainedEvent => ({
    type: 'email.complained',
    created_at: iso(at),
    data: email,
  }),
  bounced: (
    email: SentEmail,
    bounce: EmailBouncedEvent['data']['bounce'] = {
      type: 'Permanent',
      subType: 'General',
      message: 'The recipient address does not exist.',
    },
    at = new Date(),
  ): EmailBouncedEvent => ({ type: 'email.bounced', created_at: iso(at), data: { ...email, bounce } }),
};

/** Resend's events about what became of an email it took. */
export type DeliveryEventType =
  'email.sent' | 'email.delivered' | 'email.delivery_delayed' | 'email.bounced' | 'email.complained';

/** One email the desk sent, as Resend's delivery events describe it. */
export function sentEmail(to: string, subject = 'Re: [A-1001] A question', at = new Date()): SentEmail {
  return {
    email_id: randomUUID(),
    created_at: at.toISOString(),
    message_id: `<${randomUUID()}@support-desk>`,
    from: 'Support desk <support@example.com>',
    to: [to],
    subject,
  };
}
