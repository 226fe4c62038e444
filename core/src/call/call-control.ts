/**
 * Calls placed and hung up through the API. `place()` opens the record first (outbound, queued),
 * answers at once and dials in the background through a transport that can (`Transport.dial`):
 * progress moves the record to `ringing`, an answered leg runs its conversation on the same call,
 * and a call nobody answers ends with `busy`, `no-answer` or `failed` and the carrier's cause.
 * `hangUp()` cancels a call being dialled or ends one in progress; a call running on another node
 * is asked to end over the bus.
 */
import {
  VapiError,
  isVapiError,
  transportRefs,
  type Bus,
  type CallLeg,
  type CallRecord,
  type CallScope,
  type Clock,
  type DialOutcome,
  type IncomingCall,
  type Logger,
  type Store,
  type Transport,
  type Unsubscribe,
} from '@vapi-cn/sdk-plugin-api';
import type { RefContainer } from '../container/ref-container.js';
import type { CallManagerImpl } from './call-manager.js';

export interface OutboundCallRequest {
  assistantId: string;
  to: string;
  from?: string;
  carrier?: string;
  /** Transport name; default: the only enabled one that can dial. */
  transport?: string;
  variables?: Record<string, string>;
  /** How long to let it ring. */
  timeoutMs?: number;
}

export interface CallControlDeps {
  container: RefContainer;
  calls: CallManagerImpl;
  store: Store;
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** Hands an answered leg to the conversation engine (CallEngine.accept). */
  accept(transport: string, leg: CallLeg, incoming: IncomingCall): Promise<void>;
}

export const HANGUP_TOPIC = 'calls.hangup-requested';

const OUTCOMES: ReadonlySet<string> = new Set<DialOutcome>(['busy', 'no-answer', 'failed']);

/** Ringing time assumed when the request gives none (the transport's own default may be shorter). */
const DEFAULT_RING_MS = 60_000;
/**
 * A transport that neither answers nor gives up this long after the ringing time is stuck: the
 * call is ended so its record does not stay `ringing` forever.
 */
const STUCK_GRACE_MS = 30_000;

const ENABLE_TELEPHONY =
  'enable a telephony transport such as transport-freeswitch (`plugins: { transport-freeswitch: { options: … } }` in the config file) and restart';

export class CallControl {
  private unsubscribe: Unsubscribe | undefined;

  constructor(private readonly deps: CallControlDeps) {}

  /** Listens for hang-up requests from other nodes. */
  async start(): Promise<void> {
    this.unsubscribe = await this.deps.bus.subscribe(HANGUP_TOPIC, async (message) => {
      const callId = (message as { callId?: unknown } | null)?.callId;
      const call = typeof callId === 'string' ? this.deps.calls.get(callId) : undefined;
      if (call) await call.end(endReasonFor(call));
    });
  }

  async close(): Promise<void> {
    await this.unsubscribe?.().catch(() => {});
    this.unsubscribe = undefined;
  }

  /** Opens the call and starts dialling; resolves with the record as opened (status `queued`). */
  async place(request: OutboundCallRequest): Promise<CallRecord> {
    if (!(await this.deps.store.assistants.get(request.assistantId))) {
      throw new VapiError(`assistant '${request.assistantId}' does not exist`, {
        code: 'VAPI_ERR_ASSISTANT_NOT_FOUND',
        category: 'invalid_request',
        fix: 'create it with POST /v1/assistants, or give the id of an existing one',
      });
    }
    const { name, transport } = this.pickTransport(request.transport);
    const call = await this.deps.calls.open({
      transport: name,
      direction: 'outbound',
      status: 'queued',
      assistantId: request.assistantId,
      fromNumber: request.from ?? null,
      toNumber: request.to,
      metadata: request.carrier ? { carrier: request.carrier } : {},
    });
    const opened = call.record;
    void this.dial(call, name, transport, request);
    return opened;
  }

  /**
   * Ends a call: `cancelled` while it is being dialled, `api-hangup` once answered. Resolves with
   * `ended` and the final record when the call ran here, `requested` when it runs on another node.
   */
  async hangUp(callId: string): Promise<{ outcome: 'ended' | 'requested'; record: CallRecord }> {
    const local = this.deps.calls.get(callId);
    if (local) {
      await local.end(endReasonFor(local));
      return { outcome: 'ended', record: local.record };
    }
    const record = await this.deps.store.calls.get(callId);
    if (!record) {
      throw new VapiError(`call '${callId}' does not exist`, { code: 'VAPI_ERR_HTTP_NOT_FOUND', category: 'invalid_request', details: { status: 404 } });
    }
    if (record.status === 'ended') {
      throw new VapiError(`call '${callId}' has already ended (${record.endReason ?? 'no reason recorded'})`, {
        code: 'VAPI_ERR_HTTP_CONFLICT',
        category: 'invalid_request',
        details: { status: 409 },
        fix: 'nothing to do: GET /v1/calls/:id shows how it ended',
      });
    }
    await this.deps.bus.publish(HANGUP_TOPIC, { callId });
    return { outcome: 'requested', record };
  }

  private pickTransport(named: string | undefined): { name: string; transport: Transport } {
    const registry = this.deps.container.collection(transportRefs.transports);
    const dialers = registry.entries().filter(([, transport]) => typeof transport.dial === 'function');
    const names = dialers.map(([name]) => name).join(', ');
    if (named !== undefined) {
      const transport = registry.get(named);
      if (!transport) {
        throw new VapiError(`no enabled transport is named '${named}'`, {
          code: 'VAPI_ERR_CALL_TRANSPORT',
          category: 'invalid_request',
          fix: dialers.length > 0 ? `name one that can place calls: ${names}` : ENABLE_TELEPHONY,
        });
      }
      if (typeof transport.dial !== 'function') {
        throw new VapiError(`the '${named}' transport cannot place outbound calls`, {
          code: 'VAPI_ERR_CALL_TRANSPORT',
          category: 'invalid_request',
          fix: dialers.length > 0 ? `name one that can: ${names}` : ENABLE_TELEPHONY,
        });
      }
      return { name: named, transport };
    }
    if (dialers.length === 0) {
      throw new VapiError('no enabled transport can place outbound calls', { code: 'VAPI_ERR_CALL_NO_TRANSPORT', category: 'invalid_request', fix: ENABLE_TELEPHONY });
    }
    if (dialers.length > 1) {
      throw new VapiError(`several transports can place outbound calls (${names})`, {
        code: 'VAPI_ERR_CALL_TRANSPORT',
        category: 'invalid_request',
        fix: `say which in "transport": one of ${names}`,
      });
    }
    const [name, transport] = dialers[0]!;
    return { name, transport };
  }

  /** Runs in the background: every outcome ends up in the record, nothing is thrown. */
  private async dial(call: CallScope, name: string, transport: Transport, request: OutboundCallRequest): Promise<void> {
    const { clock } = this.deps;
    const stuck = clock.setTimeout(() => void this.giveUp(call), (request.timeoutMs ?? DEFAULT_RING_MS) + STUCK_GRACE_MS);
    // However the call ends (cancelled, server shutdown), the watch ends with it.
    call.onEnd(() => clock.clearTimeout(stuck));
    let leg: CallLeg;
    try {
      leg = await Promise.resolve().then(() =>
        transport.dial!({
          callId: call.id,
          to: request.to,
          ...(request.from !== undefined ? { from: request.from } : {}),
          ...(request.carrier !== undefined ? { carrier: request.carrier } : {}),
          assistantId: request.assistantId,
          ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
          ...(request.variables ? { variables: request.variables } : {}),
          signal: call.signal,
          onProgress: (progress) => {
            call.progress(progress).catch((error: unknown) => call.log.warn({ err: error, progress }, 'could not record dial progress'));
          },
        }),
      );
    } catch (error) {
      clock.clearTimeout(stuck);
      // Cancelled or given up: the record already says why.
      if (!call.ended) await this.notAnswered(call, error);
      return;
    }
    clock.clearTimeout(stuck);
    if (call.ended) {
      call.log.info('the call was answered after it was cancelled: hanging up');
      await leg.hangup('cancelled').catch(() => {});
      return;
    }
    if (leg.id !== call.id) {
      const message = `the ${name} transport answered with a leg whose id is not the DialRequest's callId`;
      call.log.error({ legId: leg.id }, message);
      await call.event('error', { code: 'VAPI_ERR_DIAL_LEG_ID', message }).catch(() => {});
      await leg.hangup('failed').catch(() => {});
      await call.end('failed');
      return;
    }
    try {
      await this.deps.accept(name, leg, {
        assistantId: request.assistantId,
        toNumber: request.to,
        ...(request.from !== undefined ? { fromNumber: request.from } : {}),
        ...(request.variables ? { variables: request.variables } : {}),
      });
    } catch (error) {
      call.log.error({ err: error }, 'the answered call could not start');
      await leg.hangup('setup-failed').catch(() => {});
      await call.end('setup-failed');
    }
  }

  private async notAnswered(call: CallScope, error: unknown): Promise<void> {
    const outcome = isVapiError(error) && OUTCOMES.has(error.details?.outcome as string) ? (error.details!.outcome as DialOutcome) : 'failed';
    const code = isVapiError(error) ? error.code : 'VAPI_ERR_DIAL_FAILED';
    const cause = isVapiError(error) && typeof error.details?.cause === 'string' ? error.details.cause : undefined;
    call.log.info({ outcome, code, cause }, 'the outbound call was not answered');
    await call.event('error', { code, outcome, message: (error as Error)?.message ?? String(error), ...(cause ? { cause } : {}) }).catch(() => {});
    await call.end(outcome);
  }

  private async giveUp(call: CallScope): Promise<void> {
    if (call.ended) return;
    const message = 'the transport neither answered nor gave up long after the ringing time';
    call.log.error(message);
    await call.event('error', { code: 'VAPI_ERR_DIAL_TIMEOUT', outcome: 'failed', message }).catch(() => {});
    await call.end('failed');
  }
}

/** Why a call ended at the API's request: not yet answered, it was cancelled. */
function endReasonFor(call: CallScope): string {
  return call.record.answeredAt || call.record.status === 'in-progress' ? 'api-hangup' : 'cancelled';
}
