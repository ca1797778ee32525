/**
 * A button that trains a preset: loads it into Training Dynamics (usePreset: settings, scroll,
 * focus) and starts the pair at once, so the reader lands on a run, not on a "Ready" form.
 */
import { page, usePreset } from '../state/page.svelte.ts';
import type { PresetName } from '../state/presets.ts';
import { lab } from './session.ts';

export function trainPreset(name: PresetName): void {
  usePreset(name);
  void lab.start(page.config);
}
