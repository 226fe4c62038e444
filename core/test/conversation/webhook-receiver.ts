/**
 * A webhook receiver on 127.0.0.1 for tests of tool webhooks and server events: it verifies each
 * request's signature against the given clock, records it, and answers with `respond`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@vapi-cn/sdk-plugin-api';
import { verifyWebhookSignature, type SignatureCheck } from '../../src/conversation/webhook-signature.js';

export interface ReceivedRequest {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: Record<string, any>;
  signature: SignatureCheck;
  timestampHeader: string | undefined;
  /** Monotonic time of arrival on the given clock. */
  at: number;
}

export interface ReceiverOptions {
  secret: string;
  clock: Pick<Clock, 'now' | 'monotonic'>;
  path?: string;
  /** Answers the n-th request (from 0); leave `res` open to make the sender wait. */
  respond(n: number, res: ServerResponse, request: ReceivedRequest): void;
}

export async function webhookReceiver(t: { teardown(fn: () => unknown): void }, options: ReceiverOptions): Promise<{ url: string; received: ReceivedRequest[] }> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const header = req.headers['x-vapi-signature'] as string | undefined;
      const request: ReceivedRequest = {
        json: JSON.parse(body),
        signature: verifyWebhookSignature({ secret: options.secret, body, header, now: options.clock.now() }),
        timestampHeader: req.headers['x-vapi-timestamp'] as string | undefined,
        at: options.clock.monotonic(),
      };
      received.push(request);
      options.respond(received.length - 1, res, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.path ?? '/'}`, received };
}
