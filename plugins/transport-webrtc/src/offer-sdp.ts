/**
 * Checks a client's SDP offer before werift sees it. werift accepts almost any text (garbage
 * parses to a session with no media, a video-only offer to a rejected m-line), so what this call
 * needs is checked here: an audio section over DTLS-SRTP offering Opus at 48 kHz, with ICE
 * credentials and a DTLS fingerprint.
 */
import { VapiError } from '@vapi-cn/sdk-plugin-api';
import { isMdnsCandidate } from './ice-candidate.js';

/** Browsers' offers are 2-10 KB; anything this large is not an offer. */
const MAX_SDP_BYTES = 64 * 1024;

/** An SDP line: one lower-case letter, '=', a value (RFC 8866 §5). */
const LINE = /^[a-z]=/;

/**
 * Returns the offer with CRLF line endings and without mDNS (`.local`) candidates, or throws a
 * bad_input VapiError (`VAPI_ERR_WEBRTC_SDP`) saying what is missing.
 */
export function checkOffer(sdp: unknown): string {
  if (typeof sdp !== 'string' || sdp.trim() === '') throw sdpError('the SDP offer is empty');
  if (sdp.length > MAX_SDP_BYTES) throw sdpError(`the SDP offer is ${sdp.length} bytes, over the ${MAX_SDP_BYTES} an offer can be`);
  const lines = sdp.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') throw sdpError('not an SDP offer: it must start with v=0');
  const bad = lines.findIndex((line) => !LINE.test(line));
  if (bad >= 0) throw sdpError(`not an SDP offer: line ${bad + 1} is not <letter>=<value>`);

  const firstMedia = lines.findIndex((line) => line.startsWith('m='));
  if (firstMedia < 0) throw sdpError('the SDP offer has no media section');
  const session = lines.slice(0, firstMedia);
  const sections = splitSections(lines.slice(firstMedia));
  const audio = sections.find((section) => /^m=audio [1-9]\d* \S*RTP\/SAVPF /.test(section[0]!));
  if (!audio) throw sdpError('the SDP offer has no audio section over DTLS-SRTP (m=audio ... UDP/TLS/RTP/SAVPF)');
  if (!audio.some((line) => /^a=rtpmap:\d+ opus\/48000(\/[12])?$/i.test(line))) throw sdpError('the SDP offer does not offer Opus (a=rtpmap:<pt> opus/48000/2)');
  const has = (prefix: string) => audio.some((line) => line.startsWith(prefix)) || session.some((line) => line.startsWith(prefix));
  if (!has('a=fingerprint:')) throw sdpError('the SDP offer has no DTLS fingerprint (a=fingerprint)');
  if (!has('a=ice-ufrag:') || !has('a=ice-pwd:')) throw sdpError('the SDP offer has no ICE credentials (a=ice-ufrag, a=ice-pwd)');

  return `${lines.filter((line) => !(line.startsWith('a=candidate:') && isMdnsCandidate(line))).join('\r\n')}\r\n`;
}

function splitSections(lines: string[]): string[][] {
  const sections: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push([line]);
    else sections[sections.length - 1]!.push(line);
  }
  return sections;
}

export function sdpError(message: string, cause?: unknown): VapiError {
  return new VapiError(message, {
    code: 'VAPI_ERR_WEBRTC_SDP',
    category: 'bad_input',
    fix: "send the offer from the browser's RTCPeerConnection.createOffer() unchanged, with an audio transceiver",
    ...(cause === undefined ? {} : { cause }),
  });
}
