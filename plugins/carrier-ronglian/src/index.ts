/**
 * carrier-ronglian: a Ronglian (容联云, Yuntongxun) SIP trunk.
 *
 * Ronglian publishes no public SIP trunk specification; every default here is an assumption to
 * confirm with Ronglian's onboarding sheet: the trunk registers with the account and password
 * Ronglian assigns (`register: true`; IP-whitelisted lines set false and list `inboundIps`),
 * RFC 2833 DTMF, G.711 A-law first, national number format. Only numbers Ronglian assigned may
 * be presented, so `callerId.allowAny` is not offered.
 */
import { defineCarrierPlugin, GENERIC_TRUNK_PROFILE } from '@vapi-cn/sdk-plugin-api';

export default defineCarrierPlugin({
  id: 'carrier-ronglian',
  version: '1.0.0',
  description: 'Ronglian (容联云) SIP trunk (registers with an account by default, RFC 2833, G.711)',
  vendor: 'ronglian',
  profile: { ...GENERIC_TRUNK_PROFILE, defaultRegister: true, allowAnyCallerId: false },
});
