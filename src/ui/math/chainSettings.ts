/**
 * The scalar chain's settings without the rune: their type, the sliders' limits and the
 * defaults. Plain TypeScript, so that the page's URL schema (../state/url.ts) can check a link's
 * values against the same limits the sliders use.
 */
export interface ChainSettings {
  depth: number;
  mode: 'constant' | 'normal';
  gain: number;
  mean: number;
  sd: number;
  seed: number;
}

export type ChainNumberKey = Exclude<keyof ChainSettings, 'mode'>;

/** The sliders' limits. */
export const LIMITS = {
  depth: { min: 1, max: 200, step: 1 },
  gain: { min: -2, max: 2, step: 0.05 },
  mean: { min: -1, max: 2, step: 0.05 },
  sd: { min: 0, max: 1, step: 0.01 },
  seed: { min: 1, max: 99999, step: 1 },
} as const satisfies Record<ChainNumberKey, { min: number; max: number; step: number }>;

/** Small random branch derivatives around 0: a residual net near its initialisation. */
export const DEFAULT_CHAIN: Readonly<ChainSettings> = {
  depth: 50,
  mode: 'normal',
  gain: 0.9,
  mean: 0,
  sd: 0.2,
  seed: 1,
};
