/**
 * defineCarrierPlugin(): a carrier plugin in a few lines. The plugin's options are a map of
 * trunks keyed by carrier id (a plugin is enabled once, so several trunks of one vendor live in
 * one entry); each trunk becomes a SipTrunkCarrier in `carrierRefs.carriers`. A vendor gives its
 * profile (what its trunks support and default to) and may rewrite its own options into the
 * common ones (Aliyun: region → proxy) and add rules of its own.
 */
import { carrierRefs } from '../carrier.js';
import { definePlugin, type Plugin, type PluginOptionProblem } from '../plugin.js';
import { carrierPluginSchema, type SipTrunkOptions, type TrunkProfile } from './sip-trunk-schema.js';
import { CARRIER_ID_PATTERN, carrierPluginProblems } from './sip-trunk-problems.js';
import { carrierConfigError, SipTrunkCarrier } from './sip-trunk-carrier.js';

export interface CarrierPluginSpec<Extra extends object = object> {
  /** Plugin id, `carrier-<vendor>`. */
  id: string;
  version: string;
  description: string;
  /** The `vendor` of the carriers it provides. */
  vendor: string;
  profile: TrunkProfile;
  /** Turns a trunk's vendor options into common ones (runs before validation). */
  prepare?(trunk: SipTrunkOptions & Extra): SipTrunkOptions;
  /** Vendor rules beyond the common ones; paths relative to the trunk. */
  validate?(trunk: SipTrunkOptions & Extra): PluginOptionProblem[];
}

type TrunksOptions = { trunks?: Record<string, SipTrunkOptions> };

export function defineCarrierPlugin<Extra extends object = object>(spec: CarrierPluginSpec<Extra>): Plugin {
  const prepared = (options: TrunksOptions): Record<string, SipTrunkOptions> =>
    Object.fromEntries(Object.entries(options.trunks ?? {}).map(([id, trunk]) => [id, spec.prepare ? spec.prepare(trunk as SipTrunkOptions & Extra) : trunk]));
  const problemsOf = (options: TrunksOptions): PluginOptionProblem[] => {
    // A trunk with an unusable id is reported once, for its id.
    const vendorProblems = Object.entries(options.trunks ?? {}).filter(([id]) => CARRIER_ID_PATTERN.test(id)).flatMap(([id, trunk]) =>
      (spec.validate?.(trunk as SipTrunkOptions & Extra) ?? []).map((p) => ({ ...p, path: ['trunks', id, ...p.path] })),
    );
    return [...carrierPluginProblems({ trunks: prepared(options) }, spec.profile), ...vendorProblems];
  };

  return definePlugin({
    id: spec.id,
    version: spec.version,
    apiVersion: '^1.0.0',
    description: spec.description,
    configSchema: carrierPluginSchema(spec.profile),
    provides: [carrierRefs.carriers],
    validateOptions: (options) => problemsOf(options as TrunksOptions),
    setup(ctx, raw) {
      const options = raw as TrunksOptions;
      const base = `plugins.${ctx.id}.options`;
      const problems = problemsOf(options);
      if (problems.length > 0) throw carrierConfigError(base, problems);
      for (const [id, trunk] of Object.entries(prepared(options))) {
        const carrier = new SipTrunkCarrier(id, trunk, { vendor: spec.vendor, configPath: `${base}.trunks.${id}`, profile: spec.profile });
        ctx.provide(carrierRefs.carriers, id, carrier);
        // No secrets or numbers: the gateway's shape only.
        ctx.log.info(
          { carrier: id, vendor: spec.vendor, register: carrier.gateway.register, transport: carrier.gateway.transport, codecs: carrier.codecs, dtmfMode: carrier.dtmfMode, inboundRanges: carrier.inboundIps.length, maxConcurrentCalls: carrier.maxConcurrentCalls },
          'carrier ready',
        );
      }
    },
  });
}
