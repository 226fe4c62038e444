/**
 * Which assistant answers a called number. Operators set routes in the config file
 * (`numbers:`) and through the API (`/v1/phone-numbers`); telephony transports ask the router
 * for every inbound call.
 */

export interface NumberRoute {
  assistantId: string;
  /** The route that matched: an exact number, a prefix such as `400*`, or `*` for any number. */
  pattern: string;
  /** `store`: a route created through the API; `config`: one from the config file. */
  source: 'store' | 'config';
}

export interface NumberRouter {
  /**
   * The route for a called number, normalised to national form first (`+86 400-123-4567` and
   * `4001234567` are the same number). Store routes win over config routes; an exact number wins
   * over a prefix, a longer prefix over a shorter one, and `*` comes last. Undefined: no route.
   */
  route(calledNumber: string): Promise<NumberRoute | undefined>;
}
