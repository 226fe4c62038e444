/**
 * carrier-tencent: a Tencent Cloud SIP trunk (云联络中心 / TCCC own-number lines and Tencent
 * Cloud voice trunks).
 *
 * Vendor facts: Tencent's number access (CreateOwnNumberApply,
 * tencentcloud.com/document/api/1229/68002) describes the same number rules this plugin offers:
 * `Prefix` (a prefix for sending numbers → `numbers.dialPrefix`), `MobileNddPrefix` (the
 * domestic long-distance prefix for mobiles → `numbers.mobileZeroPrefix`) and
 * `LocalNumberTrimAC` (remove the area code for local calls → `numbers.stripLocalAreaCode`).
 * Assumptions (no public page states them): the trunk registers with an account and password
 * (`register: true` by default; set false for an IP-whitelisted line and list `inboundIps`),
 * RFC 2833 DTMF, G.711 first. Only numbers bought from Tencent may be presented, so
 * `callerId.allowAny` is not offered.
 */
import { defineCarrierPlugin, GENERIC_TRUNK_PROFILE } from '@vapi-cn/sdk-plugin-api';

export default defineCarrierPlugin({
  id: 'carrier-tencent',
  version: '1.0.0',
  description: 'Tencent Cloud SIP trunk (registers with an account by default, RFC 2833, G.711)',
  vendor: 'tencent',
  profile: { ...GENERIC_TRUNK_PROFILE, defaultRegister: true, allowAnyCallerId: false },
});
