import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import type { KeyStore } from '../src/api/index.ts';

/**
 * Provider keys encrypted with the OS keychain (safeStorage) in the user-data folder, and put into
 * this process's environment for the SDKs. Refuses Linux's plain-text fallback: a key is then not
 * stored at all, and the user is told to set the variable instead.
 */
export function createKeyStore(userData: string): KeyStore {
  const file = join(userData, 'keys.json');
  const read = (): Record<string, string> => {
    if (!existsSync(file)) return {};
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const usable = () =>
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text');
  if (usable()) {
    for (const [name, encrypted] of Object.entries(read())) {
      try {
        process.env[name] ??= safeStorage.decryptString(Buffer.from(encrypted, 'base64'));
      } catch {
        // written under another OS user or keychain: ignore, the user can set it again
      }
    }
  }
  return {
    set(name, value) {
      if (!usable()) throw new Error(`No secure key storage on this system: set ${name} in the environment instead.`);
      const all = read();
      all[name] = safeStorage.encryptString(value).toString('base64');
      writeFileSync(file, JSON.stringify(all), { mode: 0o600 });
      process.env[name] = value;
    },
    clear(name) {
      const all = read();
      delete all[name];
      writeFileSync(file, JSON.stringify(all), { mode: 0o600 });
      delete process.env[name];
    },
    has: (name) => Boolean(read()[name]),
  };
}
