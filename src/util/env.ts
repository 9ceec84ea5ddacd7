/** Environment variables as the domain reads them (process.env, or a test's own map). */
export type Env = Readonly<Record<string, string | undefined>>;
