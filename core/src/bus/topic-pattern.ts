/**
 * The subscription pattern language: `*` matches any run of characters, dots included, as in
 * Redis PSUBSCRIBE; every other character is literal. Redis also gives `?`, `[...]` and `\` a
 * meaning; they are escaped on the way to Redis so both buses match exactly the same topics.
 */

export function isPattern(pattern: string): boolean {
  return pattern.includes('*');
}

/** A predicate telling whether a topic matches `pattern`. */
export function topicMatcher(pattern: string): (topic: string) => boolean {
  if (!isPattern(pattern)) return (topic) => topic === pattern;
  const source = pattern
    .split('*')
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (topic) => regex.test(topic);
}

/** `text` as a Redis glob that matches only itself. */
export function escapeRedisGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** `pattern` as a Redis PSUBSCRIBE glob: `*` kept, every other glob character escaped. */
export function toRedisGlob(pattern: string): string {
  return pattern.split('*').map(escapeRedisGlob).join('*');
}
