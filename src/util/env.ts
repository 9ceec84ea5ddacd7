/** Environment variables as the domain reads them (process.env, or a test's own map). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Other names users already have for a key: Google's own SDKs and many set-ups use GOOGLE_API_KEY
 * for Gemini. The project's name wins when both are set, so a key stored in the desktop app's
 * keychain (under the project's name) is never shadowed by an older variable.
 */
export const KEY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  GEMINI_API_KEY: ['GOOGLE_API_KEY'],
};

/** The value of a key variable, or of the first alias that is set; undefined when none is. */
export function keyFrom(env: Env, name: string): string | undefined {
  for (const n of [name, ...(KEY_ALIASES[name] ?? [])]) {
    const v = env[n]?.trim();
    if (v) return v;
  }
  return undefined;
}

/** "GEMINI_API_KEY (or GOOGLE_API_KEY)": how messages name a key a user may set. */
export function keyNames(name: string): string {
  const aliases = KEY_ALIASES[name] ?? [];
  return aliases.length ? `${name} (or ${aliases.join(', ')})` : name;
}
