/**
 * Seeded random and adversarial page links (every parameter the page knows, unknown ones, wrong
 * types, huge and negative numbers, NaN, very long strings, broken percent-encodings), shared by
 * the unit fuzz test of the URL state parser and the browser test that opens a sample of them.
 */
import { Rng } from '../../src/engine/rng.ts';
import { LINK_PARAMS, SECTION_IDS } from '../../src/ui/state/url.ts';

const HOSTILE = [
  '',
  'NaN',
  '-1',
  '0',
  '-0',
  '1e9',
  '1000000000',
  '1e309',
  'Infinity',
  '-Infinity',
  '0x10',
  '1.5',
  '3,2',
  ' 8 ',
  'true',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'toString',
  '%',
  '%E0%A4%A',
  '%ZZ',
  '%00',
  '%F0%9F%A7%A0',
  '<script>alert(1)</script>',
  '"\'`',
  '{"layers":[',
  '[]',
  '{}',
  'x'.repeat(10_000),
  '🧠'.repeat(500),
  '8,20,56',
  'resnet',
  'plain',
];

/** One random link: 0–12 parameters, known or not, each with a valid or a hostile value. */
function randomLink(rng: Rng): string {
  const parts: string[] = [];
  const n = rng.int(13);
  for (let i = 0; i < n; i++) {
    const spec = LINK_PARAMS[rng.int(LINK_PARAMS.length)]!;
    const name =
      rng.uniform() < 0.1
        ? ['depht', 'Depth', 'depth[]', '', '%', 'a'.repeat(300), '__proto__'][rng.int(7)]!
        : spec.name;
    let value: string;
    const roll = rng.uniform();
    if (roll < 0.3 && spec.values?.length) value = spec.values[rng.int(spec.values.length)]!;
    else if (roll < 0.5) value = String(Math.round(rng.range(-1e6, 1e6)));
    else if (roll < 0.6) value = String(rng.range(-10, 10));
    else if (roll < 0.65 && spec.name === 'section')
      value = SECTION_IDS[rng.int(SECTION_IDS.length)]!;
    else value = HOSTILE[rng.int(HOSTILE.length)]!;
    // most values percent-encoded as a browser would, some raw (broken encodings among them)
    const encoded = rng.uniform() < 0.7 ? encodeURIComponent(value) : value;
    parts.push(rng.uniform() < 0.05 ? name : `${name}=${encoded}`);
  }
  const hash = rng.uniform() < 0.1 ? '#%E0%A4' : '';
  return `?${parts.join(rng.uniform() < 0.05 ? '&&' : '&')}${hash}`;
}

/** The links the browser test opens too (a fixed sample of the same stream). */
export function sampleLinks(count: number, seed = 12): string[] {
  const rng = new Rng(seed, 'url-fuzz');
  return Array.from({ length: count }, () => randomLink(rng));
}
