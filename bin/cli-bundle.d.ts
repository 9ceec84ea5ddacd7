/** Types for cli-bundle.js (plain JavaScript: bin/ runs before any TypeScript loader). */
export declare const BUNDLE_DIR: string;
export declare const MANIFEST: string;
export type Stamp = [file: string, size: number, mtimeMs: number];
export declare function stampFiles(root: string, files: readonly string[]): Stamp[] | undefined;
export declare function writeManifestJson(stamps: readonly Stamp[], entry: string): string;
export declare function currentBundle(root: string): string | undefined;
