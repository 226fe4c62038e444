/** Finds the ES module entry file of a package directory from its package.json. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const CONDITIONS = ['import', 'node', 'default'];

function pickExport(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = pickExport(item);
      if (found) return found;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    const record = target as Record<string, unknown>;
    if ('.' in record) return pickExport(record['.']);
    for (const condition of CONDITIONS) {
      if (condition in record) {
        const found = pickExport(record[condition]);
        if (found) return found;
      }
    }
  }
  return undefined;
}

export interface PackageInfo {
  dir: string;
  name?: string;
  version?: string;
  entry: string;
}

/** Entry file for a package dir or a plain module file; undefined if there is none. */
export function resolveModuleEntry(target: string): PackageInfo | undefined {
  if (!existsSync(target)) return undefined;
  if (statSync(target).isFile()) return { dir: path.dirname(target), entry: target };
  const manifestPath = path.join(target, 'package.json');
  let manifest: { name?: string; version?: string; exports?: unknown; main?: string } = {};
  if (existsSync(manifestPath)) manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const candidates = [pickExport(manifest.exports), manifest.main, 'src/index.ts', 'index.ts', 'index.js', 'dist/index.js'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const file = path.resolve(target, candidate);
    if (existsSync(file) && statSync(file).isFile()) {
      return { dir: target, entry: file, ...(manifest.name ? { name: manifest.name } : {}), ...(manifest.version ? { version: manifest.version } : {}) };
    }
  }
  return undefined;
}

/** Locates an installed package by walking up node_modules folders from each start directory. */
export function findPackageDir(name: string, startDirs: string[]): string | undefined {
  for (const start of startDirs) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
