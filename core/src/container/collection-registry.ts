/** The entries of one collection ref, with the plugin that added each (for error messages). */
import type { Registry } from '@vapi-cn/sdk-plugin-api';

export class CollectionRegistry<T> implements Registry<T> {
  private readonly items = new Map<string, { value: T; owner: string }>();

  add(key: string, value: T, owner: string): void {
    this.items.set(key, { value, owner });
  }

  ownerOf(key: string): string | undefined {
    return this.items.get(key)?.owner;
  }

  get(key: string): T | undefined {
    return this.items.get(key)?.value;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  entries(): Array<[string, T]> {
    return [...this.items].map(([key, { value }]) => [key, value]);
  }

  providerOf(key: string): string | undefined {
    return this.items.get(key)?.owner;
  }
}
