/**
 * WebRTC media for signalling transports: transport-webrtc provides `webrtcRefs.peers`, and a
 * transport that carries the signalling (the voice WebSocket) asks it for one peer per call. The
 * peer speaks Opus over DTLS-SRTP and exchanges 20 ms PCM16 frames with the engine at the factory's
 * rates.
 */
import type { AudioFrame } from './frames.js';
import { createRef } from './refs.js';

/** As RTCIceCandidateInit in browsers; an empty `candidate` (or null) ends the candidates. */
export interface RtcIceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export type RtcPeerState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface RtcPeer {
  readonly state: RtcPeerState;
  /** Answers the client's offer; a malformed offer rejects with a bad_input VapiError. */
  answer(offerSdp: string): Promise<string>;
  /** A remote candidate (trickle ICE); null when the client has no more. */
  addIceCandidate(candidate: RtcIceCandidate | null): Promise<void>;
  /**
   * Sends one 20 ms frame at the factory's outputSampleRate; false when not connected. Without
   * `playoutBufferMs` the caller paces frames at real time; with it the peer paces them itself.
   */
  sendFrame(frame: AudioFrame): boolean;
  /**
   * The peer paces bot audio on its own clock (a media worker thread, away from the main event
   * loop's pauses): sendFrame() takes frames up to this many ms ahead of real time. Give the leg
   * the same `playoutBufferMs`, so the engine sends ahead, and answer the leg's clearAudio() with
   * the peer's.
   */
  readonly playoutBufferMs?: number;
  /** With `playoutBufferMs`: drops bot audio not yet sent (barge-in); returns the ms dropped. */
  clearAudio?(): number;
  /** Caller audio, 20 ms frames at the factory's inputSampleRate (the frame may be reused). Returns an unsubscribe. */
  onAudio(listener: (frame: AudioFrame) => void): () => void;
  /** Local candidates to trickle to the client; null at the end. */
  onIceCandidate(listener: (candidate: RtcIceCandidate | null) => void): () => void;
  /** `failed` carries the reason; `closed` comes last, once everything is released. */
  onStateChange(listener: (state: RtcPeerState, error?: Error) => void): () => void;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface RtcPeerFactory {
  /**
   * Rate of the caller audio peers deliver, and of the bot audio they take. Opus packets carry no
   * rate (RFC 7587: the RTP clock is 48 kHz whatever the audio), so peers decode straight to what
   * the engine listens at and encode straight from what TTS speaks at: no resampling at the edge.
   */
  readonly inputSampleRate: number;
  readonly outputSampleRate: number;
  create(): RtcPeer;
}

export const webrtcRefs = {
  peers: createRef<RtcPeerFactory>('webrtc.peers'),
} as const;
