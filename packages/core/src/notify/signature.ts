/**
 * How a receiver knows a message came from whoever holds the secret: HMAC-SHA256 of the exact bytes of the
 * body, hex, as `X-Flink-Deploy-Signature: sha256=<hex>`. The body carries its own `timestamp`, repeated in
 * X-Flink-Deploy-Timestamp, so the signature covers the time too and a receiver can refuse old replays.
 */
import { createHmac } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-flink-deploy-signature'
export const TIMESTAMP_HEADER = 'x-flink-deploy-timestamp'

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`
}
