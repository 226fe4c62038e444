/**
 * carrier-sip-trunk: any SIP trunk (a telco's IMS trunk, a VoIP provider, another PBX) as
 * carriers in `carrierRefs.carriers`. Everything is configurable and nothing is assumed about
 * the vendor: registration is off unless `gateway.register: true`, G.711 A-law first, RFC 2833
 * DTMF. Several trunks go under `trunks`, keyed by carrier id.
 */
import { defineCarrierPlugin, GENERIC_TRUNK_PROFILE } from '@vapi-cn/sdk-plugin-api';

export default defineCarrierPlugin({
  id: 'carrier-sip-trunk',
  version: '1.0.0',
  description: 'Any SIP trunk as a telephony carrier (gateway, codecs, DTMF, inbound addresses, number and caller-ID rules)',
  vendor: 'sip-trunk',
  profile: GENERIC_TRUNK_PROFILE,
});
