/**
 * Where the Training Dynamics section reads and writes the page's state (settings and view).
 * Engineer C's src/ui/state/page.svelte.ts will own this store and keep it in sync with the URL;
 * until it lands, this adapter decodes the URL once on load. Swap the body for
 * `export { page } from '../state/page.svelte.ts';` then.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import { decodePageState, type ViewState } from '../state/url.ts';

const decoded = decodePageState(typeof location === 'undefined' ? '' : location.search);

export const page: { config: TrainConfig; view: ViewState; notices: string[] } = $state({
  config: decoded.state.config,
  view: decoded.state.view,
  notices: decoded.notices,
});
