/** ICE candidates as they travel over signalling (RTCIceCandidateInit, JSON), both ways. */
import { VapiError } from '@vapi-cn/sdk-plugin-api';

export interface IceCandidateInit {
  /** `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...`; '' ends the candidates. */
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** RFC 8839 §5.1 grammar, loosely: the fields werift needs to pair the candidate. */
const CANDIDATE = /^candidate:\S+ \d+ (udp|tcp) \d+ \S+ \d+ typ (host|srflx|prflx|relay)( .*)?$/i;
/** Far above any real candidate line (~150 bytes). */
const MAX_CANDIDATE_LENGTH = 1024;

/**
 * A host candidate hidden behind an mDNS name (browsers' default). Resolving it would multicast
 * on the server's LAN, where the browser is not; the browser's address is learned anyway, as a
 * peer-reflexive candidate, from its own connectivity checks.
 */
export function isMdnsCandidate(candidate: string): boolean {
  const address = candidate.split(' ')[4];
  return address !== undefined && address.toLowerCase().endsWith('.local');
}

/**
 * Checks a remote candidate and returns it normalised (an `a=` prefix, which some clients copy
 * from the SDP line, removed), or throws a bad_input VapiError (`VAPI_ERR_WEBRTC_CANDIDATE`).
 * An empty `candidate` is the end-of-candidates marker and passes.
 */
export function checkCandidate(input: unknown): IceCandidateInit {
  if (typeof input !== 'object' || input === null || typeof (input as IceCandidateInit).candidate !== 'string') {
    throw candidateError('an ICE candidate must be an object with a string `candidate`');
  }
  const given = input as IceCandidateInit;
  const candidate = given.candidate.startsWith('a=') ? given.candidate.slice(2) : given.candidate;
  if (candidate !== '' && (candidate.length > MAX_CANDIDATE_LENGTH || !CANDIDATE.test(candidate))) {
    throw candidateError(`malformed ICE candidate: '${candidate.slice(0, 80)}'`);
  }
  const out: IceCandidateInit = { candidate };
  if (given.sdpMid != null) out.sdpMid = String(given.sdpMid);
  if (given.sdpMLineIndex != null) out.sdpMLineIndex = given.sdpMLineIndex;
  if (given.usernameFragment != null) out.usernameFragment = given.usernameFragment;
  return out;
}

export function candidateError(message: string, cause?: unknown): VapiError {
  return new VapiError(message, {
    code: 'VAPI_ERR_WEBRTC_CANDIDATE',
    category: 'bad_input',
    fix: "send the browser's icecandidate events unchanged (event.candidate.toJSON())",
    ...(cause === undefined ? {} : { cause }),
  });
}
