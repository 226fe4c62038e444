/** A small JSON client for REST tests: status and parsed body, with an optional API key. */
export type Api = (path: string, init?: { method?: string; body?: unknown }) => Promise<{ status: number; body: any }>;

export function client(base: string, key?: string): Api {
  return async (path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers.authorization = `Bearer ${key}`;
    const response = await fetch(`${base}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}
