/**
 * What each node of a block computes: a formula in TeX (typeset by KaTeX when it has loaded)
 * and the same in plain text (shown until then, and read by screen readers), plus one sentence
 * in plain words. Keyed by the node's role in the block (layout.ts), which comes from the graph.
 */
import { powerOfTen } from '../math/format.ts';
import type { BlockNode } from './layout.ts';

export interface NodeFormula {
  tex: string;
  text: string;
  words: string;
}

/** What a node computes. `alphaStart` is the branch scale's first value in this network. */
export function formulaOf(node: BlockNode, alphaStart: number): NodeFormula {
  const bias = node.params.some((p) => p.name.endsWith('.b'));
  switch (node.role) {
    case 'input':
      return {
        tex: String.raw`x_l`,
        text: 'x_l',
        words:
          'The block’s input. It feeds the branch and, through the shortcut, the addition at the end.',
      };
    case 'output':
      return {
        tex: String.raw`x_{l+1}`,
        text: 'x_{l+1}',
        words: 'The block’s output: the next block’s input.',
      };
    case 'dense':
      return bias
        ? {
            tex: String.raw`z = W h + b`,
            text: 'z = W·h + b',
            words: 'A weight layer: every output unit is a weighted sum of every input unit.',
          }
        : {
            tex: String.raw`z = W h`,
            text: 'z = W·h',
            words:
              'A weight layer: every output unit is a weighted sum of every input unit (no bias: the batch norm’s β takes its place).',
          };
    case 'grouped':
      return {
        tex: String.raw`z_g = W_g\, h_g,\quad g = 1, \dots, C`,
        text: 'z_g = W_g·h_g, g = 1 … C',
        words: `${node.paths} parallel paths: the units are split into ${node.paths} groups and each group has its own weights, which see only their own group (ResNeXt’s cardinality).`,
      };
    case 'gate-dense':
      return {
        tex: String.raw`a = W_T\, x + b_T`,
        text: 'a = W_T·x + b_T',
        words:
          'The gate’s weight layer. Its bias b_T starts negative, so the gate starts mostly closed and the layer mostly carries x.',
      };
    case 'batchnorm':
      return {
        tex: String.raw`y = \gamma\,\frac{z - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} + \beta`,
        text: 'y = γ·(z − μ_B)/√(σ_B² + ε) + β',
        words:
          'Batch normalisation: each unit is centred and scaled by the mean and spread of the current batch, then given a learned scale γ and shift β.',
      };
    case 'relu':
      return {
        tex: String.raw`h = \max(0,\, y)`,
        text: 'h = max(0, y)',
        words: 'ReLU keeps positive values and sets negative ones to zero.',
      };
    case 'activation':
      return { tex: String.raw`h = f(y)`, text: 'h = f(y)', words: 'The activation function.' };
    case 'gate':
      return {
        tex: String.raw`T = \sigma(a) = \frac{1}{1 + e^{-a}}`,
        text: 'T = σ(a) = 1/(1 + e^(−a))',
        words:
          'The transform gate: between 0 and 1 for every unit, it decides how much of H passes and how much of x is carried.',
      };
    case 'scale':
      return {
        tex: String.raw`\mathcal{F}(x) = \alpha \odot y`,
        text: 'F(x) = α ⊙ y',
        words: `A learnable scale per unit at the end of the branch. In this network α starts at ${alphaStart}${alphaStart === 0 ? ', so the branch adds nothing at first and the block starts as the identity' : ''}.`,
      };
    case 'add':
      return {
        tex: String.raw`x + \mathcal{F}(x)`,
        text: 'x + F(x)',
        words:
          'The shortcut’s addition: the block’s input, untouched, plus what the branch computed.',
      };
    case 'highway':
      return node.sublabel.startsWith('no carry')
        ? {
            tex: String.raw`y = H(x) \odot T(x)`,
            text: 'y = H(x) ⊙ T(x)',
            words: 'The plain twin keeps the transform and drops the carry term.',
          }
        : {
            tex: String.raw`y = H(x) \odot T(x) + x \odot \bigl(1 - T(x)\bigr)`,
            text: 'y = H(x) ⊙ T(x) + x ⊙ (1 − T(x))',
            words:
              'A highway layer mixes the transform H and the input x unit by unit: where the gate T is near 0 it carries x through unchanged.',
          };
    case 'conv':
      return {
        tex: bias ? String.raw`z = W \ast h + b` : String.raw`z = W \ast h`,
        text: bias ? 'z = W ∗ h + b' : 'z = W ∗ h',
        words: `A convolution: each output channel has its own ${node.label.split(' ')[0]} filter across every input channel, which slides over the whole map, so the same weights look for the same pattern everywhere${node.sublabel.includes('stride 2') ? '; with stride 2 it moves two pixels at a time and halves the map' : ''}.`,
      };
    case 'projection':
      return {
        tex: String.raw`x' = W_s \ast x`,
        text: "x' = W_s ∗ x",
        words:
          'Option B: where the stage halves the map and doubles the channels, the shortcut projects x with a 1×1 convolution of stride 2 (its own weights and batch norm), so that it can be added to the branch.',
      };
    case 'subsample':
      return {
        tex: String.raw`x'_{c,i,j} = \begin{cases} x_{c,2i,2j} & c < C \\ 0 & c \ge C \end{cases}`,
        text: "x'(c, i, j) = x(c, 2i, 2j) for the first C channels, 0 for the new ones",
        words:
          'Option A: where the stage halves the map and doubles the channels, the shortcut keeps every other pixel of x and pads the new channels with zeros. No weights: the shortcut is still the identity on what it keeps.',
      };
    case 'pool':
      return {
        tex: String.raw`y_c = \frac{1}{HW} \sum_{i,j} h_{c,i,j}`,
        text: 'y_c = (1/HW) · Σ h(c, i, j)',
        words: 'Global average pooling: each channel’s map becomes one number, its mean.',
      };
    case 'concat':
      return {
        tex: String.raw`[x, h_1, \dots]`,
        text: '[x, h_1, …]',
        words: 'Concatenation of the input with the new features.',
      };
  }
}

/** A statistic for reading: 3 significant digits, small and large numbers in powers of ten. */
export function formatStat(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  if (a >= 1e4 || a < 1e-3) {
    const [m, e] = a.toExponential(2).split('e');
    return `${sign}${m} × ${powerOfTen(Number(e))}`;
  }
  return sign + String(Number(a.toPrecision(3)));
}
