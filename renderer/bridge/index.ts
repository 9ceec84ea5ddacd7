import type { StudioBridge } from '../../src/contracts/bridge.ts';
import { createHttpBridge } from './http.ts';

declare global {
  interface Window {
    /** Set by Electron's preload; absent in a browser. */
    studio?: StudioBridge;
  }
}

export const bridge: StudioBridge = window.studio ?? createHttpBridge();
