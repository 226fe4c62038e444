/**
 * carrier-aliyun: the SIP trunk of Aliyun's voice service (语音服务 SIP Trunk).
 *
 * Vendor facts, from Aliyun's "语音SIP接入流程" (help.aliyun.com/document_detail/72744.html):
 * - the trunk has no account or password: outbound calls are authorised by an IP whitelist and
 *   a called-number prefix agreed with Aliyun support → `register: false` by default,
 *   `numbers.dialPrefix` carries the agreed prefix, and `inboundIps` (Aliyun's inbound
 *   signalling addresses, listed per region in the console) are required;
 * - three regions, outbound domain `<sh|bj|sz>.siptrunk.aliyun.com`, signalling port 5060 →
 *   `region` fills `gateway.proxy`;
 * - inbound calls carry the called number as area code + 7-8 digit local number (a national
 *   landline, which parseChineseNumber reads as is);
 * - 20 calls per second by default, and Aliyun advises at most 20 concurrent calls per number
 *   (set `maxConcurrentCalls`).
 * Caller ID: only numbers bought from Aliyun may be presented, so `callerId.allowAny` is not
 * offered. Assumptions (not in that page): RFC 2833 DTMF and G.711 (PCMA, PCMU) as on Chinese
 * PSTN trunks generally. Registration with an account stays possible (`register: true`) for
 * Aliyun products that hand out SIP accounts.
 */
import { defineCarrierPlugin, GENERIC_TRUNK_PROFILE, Type, type PluginOptionProblem, type SipTrunkOptions } from '@vapi-cn/sdk-plugin-api';

export const ALIYUN_REGIONS = { shanghai: 'sh', beijing: 'bj', shenzhen: 'sz' } as const;
export type AliyunRegion = keyof typeof ALIYUN_REGIONS;

/** The outbound domain of a region. */
export function aliyunProxy(region: AliyunRegion): string {
  return `${ALIYUN_REGIONS[region]}.siptrunk.aliyun.com:5060`;
}

type AliyunTrunk = SipTrunkOptions & { region?: AliyunRegion };

export default defineCarrierPlugin<{ region?: AliyunRegion }>({
  id: 'carrier-aliyun',
  version: '1.0.0',
  description: 'Aliyun voice service SIP trunk (IP whitelist + agreed called-number prefix; Shanghai, Beijing, Shenzhen)',
  vendor: 'aliyun',
  profile: {
    ...GENERIC_TRUNK_PROFILE,
    defaultRegister: false,
    proxyRequired: false,
    allowAnyCallerId: false,
    extra: {
      region: Type.Optional(
        Type.Union(Object.keys(ALIYUN_REGIONS).map((r) => Type.Literal(r)), { description: 'Aliyun SIP trunk region; sets gateway.proxy to its outbound domain' }),
      ),
    },
  },
  prepare(trunk: AliyunTrunk): SipTrunkOptions {
    if (trunk.gateway?.proxy?.trim() || !trunk.region) return trunk;
    return { ...trunk, gateway: { ...trunk.gateway, proxy: aliyunProxy(trunk.region) } };
  },
  validate(trunk: AliyunTrunk): PluginOptionProblem[] {
    if (trunk.gateway?.proxy?.trim() || trunk.region) return [];
    return [{ path: ['region'], message: 'neither region nor gateway.proxy is set', fix: 'set region: shanghai, beijing or shenzhen (the Aliyun SIP trunk region), or gateway.proxy', code: 'VAPI_ERR_CARRIER_CONFIG' }];
  },
});
