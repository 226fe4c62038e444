/**
 * `useVapi`, a React hook over VapiClient, served at `/sdk/vapi-cn-react.js`. React stays an
 * external import ('react'): your bundler (or an import map) supplies your app's copy.
 *
 *   import { useVapi } from 'https://your-server/sdk/vapi-cn-react.js';   // or a vendored copy
 *
 *   function Talk() {
 *     const { status, transcripts, start, stop } = useVapi({ apiKey });
 *     return status === 'idle' || status === 'disconnected'
 *       ? <button onClick={() => start('demo')}>Talk</button>
 *       : <button onClick={stop}>Stop</button>;
 *   }
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { VapiClient, type ClientStatus, type StartOptions, type VapiClientOptions } from './client.js';
import { ConversationLog, type ConversationEntry } from './conversation.js';
import type { VapiErrorEvent } from './errors.js';
import type { TurnLatency } from './protocol.js';
import type { Transport } from './connection.js';

export * from './index.js';

export interface UseVapiResult {
  status: ClientStatus;
  /** Whether a call is starting, connected or reconnecting. */
  isActive: boolean;
  callId: string | undefined;
  transport: Transport | undefined;
  /** The conversation: caller and bot turns, interim ones with `isFinal: false`. */
  transcripts: readonly ConversationEntry[];
  /** Per-turn latencies, oldest first. */
  latency: readonly TurnLatency[];
  audioLevel: { bot: number; mic: number };
  /** The last error (cleared by start). */
  error: VapiErrorEvent | undefined;
  start(assistantId: string, options?: StartOptions): Promise<void>;
  stop(): Promise<void>;
  sendMessage(text: string): void;
  sendFunctionResult(callId: string, result: unknown): void;
  /** The client, for events the hook does not track (functionCall...). */
  client: VapiClient | undefined;
}

/** A client for `options.apiKey` / `baseUrl` (made again when they change), stopped on unmount. */
export function useVapi(options: VapiClientOptions): UseVapiResult {
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const clientRef = useRef<VapiClient | undefined>(undefined);
  const logRef = useRef(new ConversationLog());
  const [client, setClient] = useState<VapiClient | undefined>(undefined);
  const [status, setStatus] = useState<ClientStatus>('idle');
  const [callId, setCallId] = useState<string | undefined>(undefined);
  const [transport, setTransport] = useState<Transport | undefined>(undefined);
  const [transcripts, setTranscripts] = useState<readonly ConversationEntry[]>([]);
  const [latency, setLatency] = useState<readonly TurnLatency[]>([]);
  const [audioLevel, setAudioLevel] = useState({ bot: 0, mic: 0 });
  const [error, setError] = useState<VapiErrorEvent | undefined>(undefined);

  useEffect(() => {
    const created = new VapiClient(optionsRef.current);
    clientRef.current = created;
    setClient(created);
    const log = logRef.current;
    const off = [
      created.on('status', (event) => setStatus(event.status)),
      created.on('connected', (event) => {
        setCallId(event.callId);
        setTransport(event.transport);
      }),
      created.on('transcript', (event) => setTranscripts(log.transcript(event))),
      created.on('response', (event) => setTranscripts(log.response(event))),
      created.on('latency', (turn) => setLatency((previous) => [...previous, turn])),
      created.on('audioLevel', (levels) => setAudioLevel(levels)),
      created.on('disconnected', () => setAudioLevel({ bot: 0, mic: 0 })),
      created.on('error', (event) => setError(event)),
    ];
    return () => {
      for (const remove of off) remove();
      void created.stop();
      if (clientRef.current === created) clientRef.current = undefined;
    };
  }, [options.apiKey, options.baseUrl, options.path]);

  const start = useCallback(async (assistantId: string, startOptions?: StartOptions) => {
    const current = clientRef.current;
    if (!current) throw new Error('useVapi: the client is not ready yet');
    setError(undefined);
    setTranscripts(logRef.current.clear());
    setLatency([]);
    await current.start(assistantId, startOptions);
  }, []);
  const stop = useCallback(async () => {
    await clientRef.current?.stop();
  }, []);
  const sendMessage = useCallback((text: string) => clientRef.current?.sendMessage(text), []);
  const sendFunctionResult = useCallback((id: string, result: unknown) => clientRef.current?.sendFunctionResult(id, result), []);

  return {
    status,
    isActive: status !== 'idle' && status !== 'disconnected',
    callId,
    transport,
    transcripts,
    latency,
    audioLevel,
    error,
    start,
    stop,
    sendMessage,
    sendFunctionResult,
    client,
  };
}
