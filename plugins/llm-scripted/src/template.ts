/**
 * {{name}} placeholders in replies and tool arguments. A name is looked up in each source in turn
 * (dots walk into objects: {{customer.name}}); one found nowhere becomes empty, because a voice
 * must never read out braces.
 */
export type Values = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

export function fillTemplate(template: string, sources: readonly Values[]): string {
  return template.replace(PLACEHOLDER, (_, name: string) => display(lookup(name, sources)));
}

/** Fills placeholders in every string inside `value` (tool-call arguments). */
export function fillValues(value: unknown, sources: readonly Values[]): unknown {
  if (typeof value === 'string') return fillTemplate(value, sources);
  if (Array.isArray(value)) return value.map((item) => fillValues(item, sources));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillValues(item, sources)]));
  }
  return value;
}

function lookup(name: string, sources: readonly Values[]): unknown {
  for (const source of sources) {
    let value: unknown = source;
    for (const key of name.split('.')) {
      value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Values)[key] : undefined;
    }
    if (value !== undefined) return value;
  }
  return undefined;
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
