/**
 * What the loss-landscape figure says in words, computed from the pair it shows: the setup, the
 * surfaces' shape in numbers (experiments/landscape.ts `summarizeSurface`), how that compares with
 * Li et al. 2018, and the command that computes the same surfaces.
 */
import {
  type LandscapeConfig,
  type LandscapeRecord,
  type SurfaceSummary,
  summarizeSurface,
} from '../../../experiments/landscape.ts';
import { lossLabel } from './scale.ts';

export interface LandscapeCaption {
  setup: string;
  finding: string;
  comparison: string;
  plain: SurfaceSummary;
  resnet: SurfaceSummary;
}

const pct = (x: number) => `${Math.round(100 * x)} %`;

/** The guessing loss: ln(classes) (2 classes for the 2-D sets the page trains on). */
const GUESS = Math.log(2);

export function landscapeCaption(pair: {
  plain: LandscapeRecord;
  resnet: LandscapeRecord;
}): LandscapeCaption {
  const c = pair.resnet.config;
  const p = summarizeSurface(pair.plain.loss, pair.plain.alphas, pair.plain.betas);
  const r = summarizeSurface(pair.resnet.loss, pair.resnet.alphas, pair.resnet.betas);
  const name = (arch: string) => `${arch === 'plain' ? 'Plain' : 'ResNet'}-${c.depth}`;
  const setup =
    `${name('plain')} and ${name('resnet')} (width ${c.width}, ${c.norm === 'batch' ? 'batch norm' : 'no normalisation'}), ` +
    `trained ${c.steps.toLocaleString('en')} steps on the ${c.noise === 0 ? 'noise-free ' : ''}two spirals ` +
    `(${c.samples.toLocaleString('en')} points), seed ${c.seed}; cross-entropy on the first ${c.examples} training ` +
    `examples in evaluation mode, on a ${c.grid} × ${c.grid} grid of α and β over [−${c.range}, ${c.range}] ` +
    `along two random Gaussian directions (seed ${c.seed}) normalised filter by filter.`;
  const describe = (arch: string, rec: LandscapeRecord, s: SurfaceSummary) =>
    `${name(arch)}'s loss at its trained weights is ${lossLabel(rec.center)}; across the grid it runs from ` +
    `${lossLabel(s.min)} to ${lossLabel(s.max)}, ${pct(s.nonConvexShare)} of the inner points curve downwards in some ` +
    `direction (non-convex), and the grid has ${s.localMinima} local minim${s.localMinima === 1 ? 'um' : 'a'}`;
  const finding = `${describe('plain', pair.plain, p)}. ${describe('resnet', pair.resnet, r)}.`;
  const rougher = p.nonConvexShare > r.nonConvexShare && p.localMinima >= r.localMinima;
  const untrained = pair.plain.center !== null && pair.plain.center > 0.9 * GUESS;
  const comparison =
    (rougher
      ? `As in Li et al. (2018), the network without shortcuts has the rougher, more non-convex surface, and the ResNet's is the smoother bowl.`
      : `Unlike Li et al. (2018), at this scale the network without shortcuts does not have the more non-convex surface.`) +
    (untrained
      ? ` Here ${name('plain')} did not train at all (its loss stays near the guessing loss ln 2 = 0.69), whereas their ResNet-56 without shortcuts reached 13.3 % test error on CIFAR-10;`
      : ` Their networks trained to low error;`) +
    ` theirs are convolutional networks on CIFAR-10 with 1 × 1 projection shortcuts (option B), ours are fully connected networks on 2-D points with identity shortcuts, and our surface is the loss on ${c.examples} examples, not 50,000.`;
  return { setup, finding, comparison, plain: p, resnet: r };
}

/** The command that computes one network's surface of the pair (the CLI writes the same record). */
export function landscapeCommand(config: LandscapeConfig): string {
  return (
    `npx resnet-lab landscape --arch ${config.arch} --depth ${config.depth} --width ${config.width} ` +
    `--dataset ${config.dataset} --noise ${config.noise} --norm ${config.norm} --steps ${config.steps} ` +
    `--seed ${config.seed} --grid ${config.grid} --range ${config.range} --examples ${config.examples}`
  );
}
