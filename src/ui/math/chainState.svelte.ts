/**
 * The scalar chain's settings, one rune shared by the figure (its sliders) and the text around it
 * (buttons that set a case: "put w = ¼ in the chain"). Not in the address: the page's URL schema
 * (../state/url.ts) describes training settings and the view, and has no place for a figure's
 * own controls yet.
 */
import type { ChainDerivatives } from '../../experiments/chain.ts';

export interface ChainSettings {
  depth: number;
  mode: 'constant' | 'normal';
  gain: number;
  mean: number;
  sd: number;
  seed: number;
}

/** The sliders' limits. */
export const LIMITS = {
  depth: { min: 1, max: 200, step: 1 },
  gain: { min: -2, max: 2, step: 0.05 },
  mean: { min: -1, max: 2, step: 0.05 },
  sd: { min: 0, max: 1, step: 0.01 },
  seed: { min: 1, max: 99999, step: 1 },
} as const;

/** Small random branch derivatives around 0: a residual net near its initialisation. */
export const DEFAULT_CHAIN: ChainSettings = {
  depth: 50,
  mode: 'normal',
  gain: 0.9,
  mean: 0,
  sd: 0.2,
  seed: 1,
};

export const chain: ChainSettings = $state({ ...DEFAULT_CHAIN });

export function derivativesOf(s: ChainSettings): ChainDerivatives {
  return s.mode === 'constant'
    ? { kind: 'constant', gain: s.gain }
    : { kind: 'normal', mean: s.mean, sd: s.sd, seed: s.seed };
}

/** Sets some of the chain's settings (a case named in the text). */
export function setChain(settings: Partial<ChainSettings>): void {
  Object.assign(chain, settings);
}
