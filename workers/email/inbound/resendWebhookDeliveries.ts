import type pg from 'pg';

/**
 * The record of Resend's webhook deliveries (`resend_webhook_deliveries`): one row per svix-id,
 * however often Resend retries or replays it. Only signed deliveries get here; what they mean
 * is worked out later, from the row, by a worker.
 */

export interface WebhookDelivery {
  svixId: string;
  eventType: string;
  /** The body as Resend sent it (parsed JSON). */
  payload: unknown;
  receivedAt: Date;
}

/** Records a delivery once: `duplicate` when its svix-id was already recorded (a retry or a replay). */
export async function recordWebhookDelivery(
  pool: pg.Pool,
  delivery: WebhookDelivery,
): Promise<'recorded' | 'duplicate'> {
  const { rowCount } = await pool.query(
    `INSERT INTO resend_webhook_deliveries (svix_id, event_type, received_at, payload, next_attempt_at)
     VALUES ($1, $2, $3, $4, $3)
     ON CONFLICT (svix_id) DO NOTHING`,
    [delivery.svixId, delivery.eventType, delivery.receivedAt, JSON.stringify(delivery.payload)],
  );
  return rowCount === 1 ? 'recorded' : 'duplicate';
}

/**
 * Deliveries recorded and still to be processed (the metric `support_desk_webhook_deliveries_pending`):
 * a delivery given up on (`dead_at`) is no longer waiting, and has a metric of its own.
 */
export async function pendingWebhookDeliveries(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM resend_webhook_deliveries WHERE processed_at IS NULL AND dead_at IS NULL',
  );
  return Number(rows[0]?.n ?? 0);
}
