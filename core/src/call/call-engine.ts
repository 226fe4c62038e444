/**
 * Connects transports to conversations: every leg a transport announces becomes a call (record,
 * scope, logger) running a CallSession for its assistant. A call that cannot start (no such
 * assistant, a provider not enabled) is recorded with its cause and hung up cleanly.
 */
import {
  isVapiError,
  VapiError,
  providerRefs,
  stageRefs,
  transportRefs,
  type CallLeg,
  type CallScope,
  type Clock,
  type IncomingCall,
  type Metrics,
} from '@vapi-cn/sdk-plugin-api';
import type { RefContainer } from '../container/ref-container.js';
import type { CallManagerImpl } from './call-manager.js';
import { AssistantDirectory } from './assistant-directory.js';
import { AssistantToolRunner } from '../conversation/tool-runner.js';
import { CallSession } from './call-session.js';
import { TurnMetrics } from './turn-metrics.js';

export interface CallEngineDeps {
  container: RefContainer;
  calls: CallManagerImpl;
  assistants: AssistantDirectory;
  clock: Clock;
  metrics: Metrics;
}

export class CallEngine {
  private readonly sessions = new Set<CallSession>();

  constructor(private readonly deps: CallEngineDeps) {}

  /** Listens to every enabled transport. */
  attach(): void {
    for (const [name, transport] of this.deps.container.collection(transportRefs.transports).entries()) {
      transport.onCall((leg, call) => this.accept(name, leg, call));
    }
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /**
   * Takes one leg: opens its call (or, for an outbound leg just answered, takes the call opened
   * when it was dialled, which has the leg's id) and runs its conversation until it ends.
   */
  async accept(transport: string, leg: CallLeg, incoming: IncomingCall): Promise<void> {
    const { container, calls, assistants, clock } = this.deps;
    const call =
      this.dialled(leg) ??
      (await calls.open({
        id: leg.id,
        transport,
        direction: leg.direction,
        assistantId: incoming.assistantId ?? null,
        fromNumber: incoming.fromNumber ?? null,
        toNumber: incoming.toNumber ?? null,
        metadata: incoming.metadata ?? {},
      }));
    try {
      if (!incoming.assistantId) {
        throw new VapiError(`the ${transport} transport routed a call to no assistant`, {
          code: 'VAPI_ERR_ASSISTANT_NOT_FOUND',
          category: 'invalid_request',
          fix: "configure the transport's routing to name an assistant",
        });
      }
      const assistantId = incoming.assistantId;
      const session = await CallSession.start({
        leg,
        call,
        clock,
        settings: (id) => assistants.settings(id ?? assistantId),
        ...(incoming.variables ? { variables: incoming.variables } : {}),
        providers: {
          stt: container.collection(providerRefs.stt),
          llm: container.collection(providerRefs.llm),
          tts: container.collection(providerRefs.tts),
        },
        stages: {
          vads: container.collection(stageRefs.vads),
          resamplers: container.collection(stageRefs.resamplers),
          pacers: container.collection(stageRefs.pacers),
          mixers: container.collection(stageRefs.mixers),
        },
        metrics: new TurnMetrics(this.deps.metrics),
        tools: new AssistantToolRunner({
          callId: call.id,
          clock,
          onError: (error, toolCall) => {
            call.log.warn({ err: error, tool: toolCall.name }, 'a tool call failed');
            void call.event('error', { code: error.code, category: error.category, message: error.message, tool: toolCall.name }).catch(() => {});
          },
        }),
      });
      this.sessions.add(session);
      void session.ended.finally(() => this.sessions.delete(session));
    } catch (error) {
      const code = isVapiError(error) ? error.code : 'VAPI_ERR_CALL_FAILED';
      call.log.error({ err: error, code }, 'the call could not start');
      await call.event('error', { code, message: (error as Error).message }).catch(() => {});
      leg.notify?.({ type: 'error', code, message: (error as Error).message });
      // The leg hears the same reason the record gets: a phone network tells "no such number" apart.
      const reason = code === 'VAPI_ERR_ASSISTANT_NOT_FOUND' ? 'assistant-not-found' : 'setup-failed';
      await leg.hangup(reason).catch(() => {});
      await call.end(reason);
    }
  }

  /** The call an outbound leg was dialled for: open, outbound, not yet answered. */
  private dialled(leg: CallLeg): CallScope | undefined {
    if (leg.direction !== 'outbound') return undefined;
    const call = this.deps.calls.get(leg.id);
    if (!call || call.ended || call.record.direction !== 'outbound' || call.record.answeredAt) return undefined;
    return call;
  }
}
