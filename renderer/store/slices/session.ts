import type { StateCreator } from 'zustand';
import type { ApiRole } from '../../../src/contracts/api-roles.ts';
import { BridgeError } from '../../../src/contracts/bridge.ts';
import { bridge } from '../../bridge/index.ts';
import type { StudioState } from '../index.ts';

export interface SessionSlice {
  /**
   * Who this window is: the owner (desktop app, `studio serve`'s token) or a labeler's invite;
   * `denied` when the server refuses the token (revoked, mistyped); null until known.
   */
  role: ApiRole | 'denied' | null;
  /** Asks the server who the token belongs to; a labeler's name then comes from the token. */
  loadSession(): Promise<void>;
}

export const createSessionSlice: StateCreator<StudioState, [], [], SessionSlice> = (set) => ({
  role: null,
  async loadSession() {
    try {
      const me = await bridge.invoke('whoami', {});
      // The token carries the name: nothing to ask, nothing to remember in this browser.
      if (me.role === 'labeler' && me.name) set({ role: 'labeler', labeler: me.name });
      else set({ role: 'owner' });
    } catch (error) {
      if (error instanceof BridgeError && error.status === 401) set({ role: 'denied' });
      // A server without roles (or none reachable): the app shows what the owner sees; calls it
      // may not make fail with their own message.
      else set({ role: 'owner' });
    }
  },
});
