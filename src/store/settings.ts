import { DEFAULT_SETTINGS, type ProjectSettings, ProjectSettingsSchema } from '../contracts/review.ts';
import type { Db } from './db.ts';

/** Project settings: defaults overlaid with what was saved, each value checked again on read. */
export function getSettings(db: Db): ProjectSettings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const saved: Record<string, unknown> = {};
  for (const r of rows) {
    try {
      saved[r.key] = JSON.parse(r.value);
    } catch {
      // a hand-edited bad value falls back to the default
    }
  }
  const merged = { ...DEFAULT_SETTINGS, ...saved };
  const parsed = ProjectSettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export function updateSettings(db: Db, patch: Partial<ProjectSettings>): ProjectSettings {
  const next = ProjectSettingsSchema.parse({ ...getSettings(db), ...patch });
  const put = db.prepare(
    `INSERT INTO settings (key, value) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  );
  db.transaction(() => {
    for (const key of Object.keys(patch) as (keyof ProjectSettings)[]) put.run(key, JSON.stringify(next[key]));
  })();
  return next;
}
