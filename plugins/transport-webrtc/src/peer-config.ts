/**
 * The network side of a peer: ICE servers, UDP port range, the address sockets bind to and the
 * address candidates announce, checked once and mapped onto werift's RTCPeerConnection options.
 */
import { isIPv4 } from 'node:net';
import { RTCRtpCodecParameters, type RTCPeerConnectionConfig } from 'werift';
import { VapiError } from '@vapi-cn/sdk-plugin-api';

/** An RTCIceServer as browsers take it: `stun:`, `turn:` or `turns:` URLs. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface PeerNetworkOptions {
  /** STUN/TURN servers for server-reflexive and relay candidates. Default none. */
  iceServers?: readonly IceServer[];
  /** UDP ports to take sockets from, inclusive; min < max. Default: any port the OS gives. */
  portRange?: readonly [number, number];
  /**
   * IPv4 address UDP sockets bind to, e.g. '127.0.0.1' or the private address behind a NAT.
   * Default (or '0.0.0.0'): every interface.
   */
  bindAddress?: string;
  /**
   * Public IPv4 address to announce in the host candidate, for a server behind a 1:1 NAT (a cloud
   * VM's elastic IP) that forwards the same UDP port to `bindAddress`. Default: the bind address,
   * or every non-loopback interface address when sockets bind to all of them.
   */
  announcedIp?: string;
}

/** The payload type browsers use for Opus; werift answers with the offer's own if it differs. */
export const OPUS_PAYLOAD_TYPE = 111;

const ANY_ADDRESS = '0.0.0.0';

/** Checks the options; a mistake is an invalid_request VapiError naming the option. */
export function checkNetworkOptions(options: PeerNetworkOptions): void {
  const { portRange, bindAddress, announcedIp } = options;
  if (portRange !== undefined) {
    const [min, max] = portRange;
    // werift needs min < max ("must not be the same value"); below 1024 needs root.
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || min >= max) {
      throw optionsError(`portRange must be two integer ports with 1024 <= min < max <= 65535, got [${portRange.join(', ')}]`, 'set portRange to e.g. [40000, 49999] and open that UDP range in the firewall');
    }
  }
  if (bindAddress !== undefined && !isIPv4(bindAddress)) {
    throw optionsError(`bindAddress must be an IPv4 address, got '${bindAddress}'`, "give the address of one interface, e.g. '10.0.0.5', or '0.0.0.0' for all");
  }
  if (announcedIp !== undefined && (!isIPv4(announcedIp) || announcedIp === ANY_ADDRESS)) {
    throw optionsError(`announcedIp must be a unicast IPv4 address, got '${announcedIp}'`, 'give the public IPv4 address clients reach this server at');
  }
  for (const server of options.iceServers ?? []) {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (!Array.isArray(urls) || urls.length === 0 || urls.some((url) => typeof url !== 'string' || !/^(stun|turns?):/.test(url))) {
      throw optionsError(`iceServers: every entry needs stun:, turn: or turns: URLs, got ${JSON.stringify(server.urls)}`, "write e.g. { urls: 'stun:stun.example.com:3478' }");
    }
  }
}

/**
 * werift options for one call. Candidates: werift gathers one host candidate per address in
 * `iceAdditionalHostAddresses` plus, with `iceUseIpv4`, one per interface address it finds; each
 * gets its own socket bound to `iceInterfaceAddresses.udp4` (all interfaces when unset). So with
 * an announced or bind address we turn interface discovery off and list that one address: one
 * socket per call, announcing exactly what the NAT or the bind maps to.
 */
export function weriftConfig(options: PeerNetworkOptions): RTCPeerConnectionConfig {
  const bind = options.bindAddress !== undefined && options.bindAddress !== ANY_ADDRESS ? options.bindAddress : undefined;
  const announce = options.announcedIp ?? bind;
  return {
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          payloadType: OPUS_PAYLOAD_TYPE,
          parameters: 'minptime=10;useinbandfec=1',
        }),
      ],
      video: [],
    },
    headerExtensions: { audio: [], video: [] },
    // werift's default is Google's public STUN server: never query anything not configured.
    iceServers: (options.iceServers ?? []).map((server) => ({ ...server })),
    ...(options.portRange ? { icePortRange: [options.portRange[0], options.portRange[1]] as [number, number] } : {}),
    ...(bind ? { iceInterfaceAddresses: { udp4: bind } } : {}),
    ...(announce ? { iceAdditionalHostAddresses: [announce], iceUseIpv4: false } : {}),
    iceUseIpv6: false,
    iceUseTcp: false,
  };
}

function optionsError(message: string, fix: string): VapiError {
  return new VapiError(message, { code: 'VAPI_ERR_WEBRTC_OPTIONS', category: 'invalid_request', fix });
}
