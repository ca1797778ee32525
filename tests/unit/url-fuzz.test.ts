/**
 * The URL state parser against links a chat app, a careless edit or an attacker could produce:
 * 1,500 seeded random links built from every parameter the page knows (and unknown ones), with
 * wrong types, huge and negative numbers, NaN, depth 10⁹, very long strings and broken
 * percent-encodings. Each must give a valid state and a list of notices — never a throw — and
 * the state must survive a round trip through a link of its own, without a notice.
 */
import { describe, expect, it } from 'vitest';
import { validateTrainConfig } from '../../src/experiments/config.ts';
import { LIMITS as CHAIN_LIMITS } from '../../src/ui/math/chainSettings.ts';
import { CARD_CHOICES, CHOICE_CARDS } from '../../src/ui/variants/choices.ts';
import { decodePageState, encodePageState, SECTION_IDS } from '../../src/ui/state/url.ts';
import { sampleLinks } from '../fuzz/links.ts';

describe('URL state: 1,500 random and adversarial links', () => {
  const links = sampleLinks(1500);

  it('each gives a valid state and a list of notices, never a throw', () => {
    let withNotices = 0;
    for (const link of links) {
      const { state, notices } = decodePageState(link.split('#')[0]!);
      const checked = validateTrainConfig(state.config);
      expect(checked.ok, `${link.slice(0, 200)}: ${JSON.stringify(checked)}`).toBe(true);
      const { chain, variants } = state.view;
      expect(chain.depth).toBeGreaterThanOrEqual(CHAIN_LIMITS.depth.min);
      expect(chain.depth).toBeLessThanOrEqual(CHAIN_LIMITS.depth.max);
      for (const card of CHOICE_CARDS)
        expect(CARD_CHOICES[card].names).toContain(variants.picks[card]);
      if (state.view.section) expect(SECTION_IDS).toContain(state.view.section);
      for (const notice of notices) {
        expect(typeof notice).toBe('string');
        expect(notice.length).toBeGreaterThan(0);
        // a long value is named, never quoted whole
        expect(notice.length, notice.slice(0, 100)).toBeLessThan(600);
      }
      if (notices.length) withNotices++;
    }
    // the generator really produces bad links (most of them) and good ones
    expect(withNotices).toBeGreaterThan(links.length * 0.5);
    expect(withNotices).toBeLessThan(links.length);
  });

  it('the state it gives survives its own link: same state, no notice', () => {
    for (const link of links) {
      const { state } = decodePageState(link.split('#')[0]!);
      const again = decodePageState(encodePageState(state));
      expect(again.notices, link.slice(0, 200)).toEqual([]);
      expect(again.state).toEqual(state);
    }
  });
});
