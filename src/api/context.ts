import { join } from 'node:path';
import { type AllowedRoots, createAllowedRoots } from '../bridge/allowed-roots.ts';
import type { DownloadPolicy } from '../contracts/config.ts';
import type { EventBus } from '../events.ts';
import { createModelManager, type ModelManager } from '../inference/model-manager.ts';
import type { Jobs } from '../jobs/jobs.ts';
import type { Project } from '../project.ts';
import { keyFrom } from '../util/env.ts';
import type { Downloads } from './downloads.ts';

/** Stores provider keys where the platform can keep them secret (Electron: safeStorage). */
export interface KeyStore {
  set(envName: string, value: string): void;
  clear(envName: string): void;
  has(envName: string): boolean;
}

/** What every handler gets: the open project and what the front end holding it adds. */
export interface ApiContext {
  project: Project;
  bus: EventBus;
  jobs: Jobs;
  /** Absent in browser mode: keys then come from the environment of `studio serve`. */
  keys?: KeyStore;
  env?: Readonly<Record<string, string | undefined>>;
  /** Local models for the Models page; created at its first use. */
  models?: ModelManager;
  /** Model downloads started here, polled by the Models page; created at the first download. */
  downloads?: Downloads;
  /** Download limits for `models-download` (default: configs/security.yaml). */
  downloadPolicy?: DownloadPolicy;
  /**
   * What `sources-import` may read: default the project folder and its upload folder; `studio
   * serve --allow` and the desktop app's file picker add more.
   */
  importRoots?: AllowedRoots;
  /** The origin invite links point at (the running bridge); default: see src/bridge/invite.ts. */
  inviteOrigin?: string;
}

export function modelsOf(ctx: ApiContext): ModelManager {
  ctx.models ??= createModelManager(
    ctx.project.db,
    ctx.project.dir,
    ctx.downloadPolicy ? { downloads: ctx.downloadPolicy } : {},
  );
  return ctx.models;
}

export function importRootsOf(ctx: ApiContext): AllowedRoots {
  ctx.importRoots ??= createAllowedRoots([ctx.project.dir, join(ctx.project.dir, 'data', 'uploads')]);
  return ctx.importRoots;
}

/** Whether a provider key is set for the API's process: its environment, or the desktop key store. */
export function hasKeyIn(ctx: ApiContext): (envName: string) => boolean {
  const env = ctx.env ?? process.env;
  return (name) => Boolean(keyFrom(env, name)?.trim()) || Boolean(ctx.keys?.has(name));
}
