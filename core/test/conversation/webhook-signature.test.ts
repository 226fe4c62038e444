import { createHmac } from 'node:crypto';
import t from 'tap';
import { DEFAULT_SIGNATURE_TOLERANCE_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, verifyWebhookSignature } from '../../src/conversation/webhook-signature.js';

const SECRET = 'whsec-test-0123456789';
const BODY = JSON.stringify({ type: 'tool-calls', call: { id: 'call-1' }, toolCall: { id: 'tc-1', name: 'lookup', arguments: { q: '订单' } } });
const NOW = Date.UTC(2026, 0, 1, 12);

t.test('the header is t=<ms>,v1=<hex HMAC-SHA256 of "t.body">, plus X-Vapi-Timestamp', async (t) => {
  const headers = signWebhook(SECRET, BODY, NOW);
  const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
  t.equal(headers[SIGNATURE_HEADER], `t=${NOW},v1=${expected}`);
  t.equal(headers[TIMESTAMP_HEADER], String(NOW));
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY, header: headers[SIGNATURE_HEADER], now: NOW + 1000 }), { ok: true, timestamp: NOW });
  t.same(verifyWebhookSignature({ secret: SECRET, body: Buffer.from(BODY), header: headers[SIGNATURE_HEADER], now: NOW }), { ok: true, timestamp: NOW }, 'raw bytes verify too');
  const [tPart, v1Part] = headers[SIGNATURE_HEADER]!.split(',');
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY, header: `${v1Part}, ${tPart}`, now: NOW }), { ok: true, timestamp: NOW }, 'field order and spaces do not matter');
});

t.test('a tampered body, another secret or a moved timestamp do not verify', async (t) => {
  const header = signWebhook(SECRET, BODY, NOW)[SIGNATURE_HEADER];
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY.replace('订单', '订单 '), header, now: NOW }), { ok: false, reason: 'mismatch' }, 'one byte more');
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY.replace('lookup', 'lookuq'), header, now: NOW }), { ok: false, reason: 'mismatch' }, 'one byte changed');
  t.same(verifyWebhookSignature({ secret: 'another-secret', body: BODY, header, now: NOW }), { ok: false, reason: 'mismatch' });
  const moved = header!.replace(`t=${NOW}`, `t=${NOW + 1}`);
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY, header: moved, now: NOW }), { ok: false, reason: 'mismatch' }, 'the timestamp is covered by the HMAC');
});

t.test('timestamps outside the tolerance are stale, in either direction', async (t) => {
  const header = signWebhook(SECRET, BODY, NOW)[SIGNATURE_HEADER];
  t.equal(DEFAULT_SIGNATURE_TOLERANCE_MS, 300_000);
  t.ok(verifyWebhookSignature({ secret: SECRET, body: BODY, header, now: NOW + DEFAULT_SIGNATURE_TOLERANCE_MS }).ok, 'at the edge: accepted');
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY, header, now: NOW + DEFAULT_SIGNATURE_TOLERANCE_MS + 1 }), { ok: false, reason: 'stale' }, 'a replay');
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY, header, now: NOW - DEFAULT_SIGNATURE_TOLERANCE_MS - 1 }), { ok: false, reason: 'stale' }, 'from the future');
  t.same(verifyWebhookSignature({ secret: SECRET, body: BODY, header, now: NOW + 2000, toleranceMs: 1000 }), { ok: false, reason: 'stale' }, 'a tighter tolerance');
});

t.test('missing and malformed headers are told apart', async (t) => {
  const verify = (header: string | undefined) => verifyWebhookSignature({ secret: SECRET, body: BODY, header, now: NOW });
  t.same(verify(undefined), { ok: false, reason: 'missing' });
  t.same(verify(''), { ok: false, reason: 'missing' });
  for (const header of ['garbage', `t=${NOW}`, 'v1=' + 'a'.repeat(64), `t=soon,v1=${'a'.repeat(64)}`, `t=${NOW},v1=xyz`, `t=${NOW},v1=${'a'.repeat(63)}`]) {
    t.same(verify(header), { ok: false, reason: 'malformed' }, header);
  }
});
