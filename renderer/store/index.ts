import { create } from 'zustand';
import { createProjectSlice, type ProjectSlice } from './slices/project.ts';
import { createSessionSlice, type SessionSlice } from './slices/session.ts';
import { createUiSlice, type UiSlice } from './slices/ui.ts';

export type StudioState = UiSlice & ProjectSlice & SessionSlice;

/** One bound store made of slices; selectors return primitives or use useShallow. */
export const useStudio = create<StudioState>()((...a) => ({
  ...createUiSlice(...a),
  ...createProjectSlice(...a),
  ...createSessionSlice(...a),
}));
