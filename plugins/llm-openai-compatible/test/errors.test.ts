import t from 'tap';
import { connectionError, httpError, retryAfterMs, streamError, timeoutError } from '../src/errors.js';

const CONTEXT = { provider: 'deepseek', apiKey: 'sk-secret-key-123' };
const body = (error: Record<string, unknown>) => JSON.stringify({ error });
const headers = (init: Record<string, string> = {}) => new Headers(init);

t.test('HTTP statuses map to categories', async (t) => {
  const cases: Array<[number, string, string, boolean]> = [
    [401, 'VAPI_ERR_LLM_AUTH', 'auth', false],
    [403, 'VAPI_ERR_LLM_AUTH', 'auth', false],
    [429, 'VAPI_ERR_LLM_RATE_LIMIT', 'rate_limit', true],
    [402, 'VAPI_ERR_LLM_QUOTA', 'quota', false],
    [400, 'VAPI_ERR_LLM_INVALID_REQUEST', 'invalid_request', false],
    [404, 'VAPI_ERR_LLM_INVALID_REQUEST', 'invalid_request', false],
    [422, 'VAPI_ERR_LLM_INVALID_REQUEST', 'invalid_request', false],
    [500, 'VAPI_ERR_LLM_SERVER', 'server', true],
    [503, 'VAPI_ERR_LLM_SERVER', 'server', true],
  ];
  for (const [status, code, category, retryable] of cases) {
    const error = httpError(CONTEXT, status, headers(), body({ message: `boom ${status}` }));
    t.match(error, { code, category, retryable, details: { provider: 'deepseek', status } }, `HTTP ${status}`);
    t.match(error.message, new RegExp(`HTTP ${status}.*boom ${status}`), 'keeps the vendor message');
  }
});

t.test('balance and quota exhaustion is quota whatever the status', async (t) => {
  const cases: Array<[number, Record<string, unknown>]> = [
    [402, { message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error' }], // DeepSeek
    [429, { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' }], // OpenAI
    [429, { message: 'Your account is suspended due to insufficient balance', type: 'exceeded_current_quota_error' }], // Kimi
    [400, { message: 'Access denied, please make sure your account is in good standing.', type: 'Arrearage', code: 'Arrearage' }], // Qwen
    [429, { message: '您的账户已欠费，请充值后重试。', code: '1113' }], // Zhipu
    [403, { message: '账户余额不足' }],
  ];
  for (const [status, error] of cases) {
    t.match(httpError(CONTEXT, status, headers(), body(error)), { code: 'VAPI_ERR_LLM_QUOTA', category: 'quota', retryable: false }, String(error.message));
  }
  t.match(httpError(CONTEXT, 429, headers(), body({ message: 'Allocated quota exceeded, please increase your quota limit.', code: 'Throttling.AllocationQuota' })), { category: 'rate_limit' }, "Qwen's per-minute quota is a rate limit");
});

t.test('Retry-After is read into details; retry-after-ms is preferred', async (t) => {
  t.equal(httpError(CONTEXT, 429, headers({ 'retry-after': '2' }), '').details?.retryAfterMs, 2000);
  t.equal(retryAfterMs(headers({ 'retry-after': '20', 'retry-after-ms': '150' })), 150);
  t.equal(retryAfterMs(headers()), undefined);
  t.equal(retryAfterMs(headers({ 'retry-after': 'soon' })), undefined);
  const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
  const ms = retryAfterMs(headers({ 'retry-after': inFiveSeconds }))!;
  t.ok(ms > 3000 && ms <= 5000, `HTTP date: ${ms} ms`);
});

t.test('the API key is cut out of vendor messages; non-JSON bodies are kept as text', async (t) => {
  const error = httpError(CONTEXT, 401, headers(), body({ message: `Incorrect API key provided: ${CONTEXT.apiKey}.` }));
  t.notMatch(error.message, CONTEXT.apiKey);
  t.notMatch(JSON.stringify(error), CONTEXT.apiKey);
  t.match(error.message, 'Incorrect API key provided: ***');
  t.match(httpError(CONTEXT, 502, headers(), '<html>Bad Gateway</html>').message, '<html>Bad Gateway</html>');
  t.ok(httpError(CONTEXT, 400, headers(), body({ message: 'x'.repeat(2000) })).message.length < 700, 'long messages are cut');
});

t.test('errors inside the stream', async (t) => {
  t.match(streamError(CONTEXT, { error: { message: 'overloaded', type: 'server_error' } }), { code: 'VAPI_ERR_LLM_STREAM_ERROR', category: 'server', retryable: true });
  t.match(streamError(CONTEXT, { error: { message: 'too long', type: 'BadRequestError', code: 400 } }), { code: 'VAPI_ERR_LLM_INVALID_REQUEST', details: { status: 400 } }, 'vLLM puts the status in code');
  t.match(streamError(CONTEXT, { error: { message: 'slow down', type: 'rate_limit_error' } }), { code: 'VAPI_ERR_LLM_RATE_LIMIT' });
  t.match(streamError(CONTEXT, { error: { message: 'Insufficient Balance' } }), { code: 'VAPI_ERR_LLM_QUOTA' });
  t.match(streamError(CONTEXT, 'plain text'), { code: 'VAPI_ERR_LLM_STREAM_ERROR', message: /plain text/ });
});

t.test('connection failures name the socket error; timeouts name the option', async (t) => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
  t.match(connectionError(CONTEXT, 'connect', refused), { code: 'VAPI_ERR_LLM_CONNECT_FAILED', category: 'connectivity', retryable: true, details: { errno: 'ECONNREFUSED' } });
  const aggregate = new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('x'), { code: 'ENETUNREACH' })]) });
  t.match(connectionError(CONTEXT, 'connect', aggregate).details, { errno: 'ENETUNREACH' });
  const dns = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), { code: 'ENOTFOUND' }) });
  t.match(connectionError(CONTEXT, 'connect', dns), { code: 'VAPI_ERR_LLM_CONNECT_FAILED', message: /ENOTFOUND/ });
  t.match(connectionError(CONTEXT, 'stream', new TypeError('terminated')), { code: 'VAPI_ERR_LLM_CONNECTION_LOST', category: 'connectivity' });
  t.match(timeoutError(CONTEXT, 'connect', 10), { code: 'VAPI_ERR_LLM_CONNECT_TIMEOUT', category: 'timeout', fix: /connectTimeoutMs/ });
  t.match(timeoutError(CONTEXT, 'first-token', 10), { code: 'VAPI_ERR_LLM_FIRST_TOKEN_TIMEOUT', fix: /firstTokenTimeoutMs/ });
  t.match(timeoutError(CONTEXT, 'idle', 10), { code: 'VAPI_ERR_LLM_IDLE_TIMEOUT', fix: /idleTimeoutMs/ });
});
