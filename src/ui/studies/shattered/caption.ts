/**
 * The shattered-gradients figure's words, computed from the measured record: what the lag-1
 * autocorrelation was at the chosen depth, how it changed with depth, and where our setting and
 * result differ from Balduzzi et al. (2017).
 */
import type { ShatteredRecord } from '../../../experiments/shatteredConfig.ts';

/** A series with its mean removed, divided by its standard deviation (a constant one: zeros). */
export function standardised(values: readonly number[]): number[] {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return values.map((v) => (sd > 0 ? (v - mean) / sd : 0));
}

const f2 = (v: number) => v.toFixed(2);

/** How structured a lag-1 autocorrelation says a gradient is, in words. */
export function structureWord(lag1: number): string {
  if (lag1 >= 0.9) return 'smooth';
  if (lag1 >= 0.6) return 'partly structured';
  if (lag1 >= 0.3) return 'rough';
  return 'close to white noise';
}

export interface ShatteredCaption {
  /** the chosen depth's sentence */
  depth: string;
  /** the across-depth sentence (null: not measured) */
  across: string | null;
  /** where this differs from the paper */
  paper: string;
}

export function captionOf(record: ShatteredRecord): ShatteredCaption {
  const { config } = record;
  const plain = record.plain.autocorrelation[1] ?? 1;
  const resnet = record.resnet.autocorrelation[1] ?? 1;
  const depth =
    config.depth === 2
      ? `With one hidden layer (no blocks, so both networks are the same) the lag-1 autocorrelation is ${f2(plain)}: the gradient is ${structureWord(plain)}.`
      : `At depth ${config.depth} the lag-1 autocorrelation is ${f2(plain)} for the plain network (${structureWord(plain)}) and ${f2(resnet)} for the residual one (${structureWord(resnet)})${
          resnet > plain
            ? ': the skip connections keep the gradient more structured.'
            : plain > resnet
              ? ': here the plain gradient is the more structured one, against the paper.'
              : '.'
        }`;
  let across: string | null = null;
  if (record.depths.length > 1) {
    const first = record.depths[0]!;
    const last = record.depths.at(-1)!;
    const lowestPlain = record.depths.reduce((m, d) => (d.plain < m.plain ? d : m));
    const lowestResnet = record.depths.reduce((m, d) => (d.resnet < m.resnet ? d : m));
    across = ` From depth ${first.depth} to ${last.depth} the plain network's falls from ${f2(first.plain)} to ${f2(last.plain)} (lowest ${f2(lowestPlain.plain)}, at depth ${lowestPlain.depth}); the residual network's goes from ${f2(first.resnet)} to ${f2(last.resnet)} (lowest ${f2(lowestResnet.resnet)}, at depth ${lowestResnet.depth}).`;
  }
  const deepest = record.depths.at(-1);
  const notWhite =
    deepest && deepest.plain > 0.2
      ? ` Our deepest plain gradient is rougher but not white noise (lag 1: ${f2(deepest.plain)}): our networks are ${config.width} units wide where the paper's had 200, and our points are evenly spaced on one segment.`
      : '';
  const paper = ` Balduzzi et al. report that a plain network's gradient correlations decay exponentially with depth and a residual network's only sublinearly; they used a scalar input and output and Glorot initialisation, we use the first output of a two-input network along a line, He initialisation and no normalisation (our batch norm, in evaluation mode at initialisation, would be nearly the identity).${notWhite}`;
  return { depth, across, paper };
}
