/**
 * carrier-huawei-uap: a Huawei UAP 9600 (Unified Access Platform) PBX over a SIP IP trunk.
 *
 * The UAP is a peer on the enterprise network, not a cloud carrier: an IP trunk WITHOUT
 * registration (the options have no register, username or password), calls in both directions
 * recognised by address, so `inboundIps` (the UAP's signalling addresses) are required; G.711
 * only (PCMA, PCMU: anything else is rejected); DTMF either RFC 2833 or in-band, in-band by
 * default (what UAP trunks to legacy equipment usually carry; FreeSWITCH detects it with
 * mod_spandsp). The caller ID goes in the From header (`callerIdInFrom` defaults to true), as
 * Huawei PBX trunk examples for FreeSWITCH do (register=false, caller-id-in-from=true). The PBX
 * decides what it presents, so `callerId.allowAny` is offered. Calls out usually need the
 * PBX's outside-line digit: set `numbers.dialPrefix`.
 */
import { defineCarrierPlugin, GENERIC_TRUNK_PROFILE } from '@vapi-cn/sdk-plugin-api';

export default defineCarrierPlugin({
  id: 'carrier-huawei-uap',
  version: '1.0.0',
  description: 'Huawei UAP 9600 PBX over an IP trunk (no registration, G.711 only, in-band or RFC 2833 DTMF)',
  vendor: 'huawei-uap',
  profile: {
    ...GENERIC_TRUNK_PROFILE,
    codecs: ['PCMA', 'PCMU'],
    defaultCodecs: ['PCMA', 'PCMU'],
    dtmfModes: ['rfc2833', 'inband'],
    defaultDtmfMode: 'inband',
    registration: 'never',
    defaultRegister: false,
    allowAnyCallerId: true,
  },
});
