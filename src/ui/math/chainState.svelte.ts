/**
 * The scalar chain's settings, shared by the figure (its sliders) and the text around it
 * (buttons that set a case: "put w = ¼ in the chain"). They live in the page's state
 * (`page.view.chain`, ../state/url.ts), so that they travel in the page's link: `chain` reads and
 * writes them there.
 */
import type { ChainDerivatives } from '../../experiments/chain.ts';
import { page } from '../state/page.svelte.ts';
import { type ChainSettings, DEFAULT_CHAIN } from './chainSettings.ts';

export { type ChainSettings, DEFAULT_CHAIN, LIMITS } from './chainSettings.ts';

/**
 * The chain's settings, each read from and written to `page.view.chain` on every access (not a
 * copy of that object, which a later `page.view = {…}` could replace).
 */
export const chain = {} as ChainSettings;
for (const key of Object.keys(DEFAULT_CHAIN) as (keyof ChainSettings)[])
  Object.defineProperty(chain, key, {
    get: () => page.view.chain[key],
    set: (value: never) => (page.view.chain[key] = value), // `never`: each key's own type
    enumerable: true,
  });

export function derivativesOf(s: ChainSettings): ChainDerivatives {
  return s.mode === 'constant'
    ? { kind: 'constant', gain: s.gain }
    : { kind: 'normal', mean: s.mean, sd: s.sd, seed: s.seed };
}

/** Sets some of the chain's settings (a case named in the text). */
export function setChain(settings: Partial<ChainSettings>): void {
  Object.assign(page.view.chain, settings);
}
