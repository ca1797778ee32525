/**
 * The lesion study (Veit, Wilber & Belongie 2016, §4): train a plain network and its residual
 * twin of the same depth with the same settings, then delete blocks of each and measure test
 * accuracy — every single block in turn, then k random blocks for k = 1…n (several seeded
 * draws each). A ResNet's block is deleted by switching its residual branch off (the shortcut
 * stays: y = x, then the block's final ReLU); a plain block by replacing it with the identity.
 *
 * A plan of two parts, plain then resnet (each a `lesion-net` job, lesionNet.ts, which trains and
 * lesions one network); the record depends only on their ordered results, so it is the same
 * byte for byte however the parts ran. This module imports no engine: the page imports the plan
 * on its main thread, and its workers run the parts.
 */
import {
  TRAIN_FIELDS,
  type TrainConfig,
  validateTrainConfig,
  withFamilyDefaults,
} from './config.ts';
import { type FieldError, type Validation, validateFields } from './fields.ts';
import { isPartFailure, type Part, type Plan } from './job.ts';
import type { FinalMetrics } from './record.ts';

export const LESION_SCHEMA = 'resnet-lab/lesion@1';

/** The two networks, in the record's (and the plan's) order. */
export const LESION_NETS = ['plain', 'resnet'] as const;
export type LesionNet = (typeof LESION_NETS)[number];

// The study trains both block types (so no --arch), each with its own shortcut rule (so no
// --shortcut: the ResNet keeps its shortcuts, the plain net has none).
const { arch: _arch, shortcut: _shortcut, ...TRAIN_REST } = TRAIN_FIELDS;

/** How many random deletions are drawn for each k. */
export const DRAWS_FIELD = {
  kind: 'int',
  min: 1,
  max: 50,
  default: 5,
  help: 'random draws of k deleted blocks for each k = 1…blocks (the same blocks in both networks)',
} as const;

/** The study's settings: every training setting but arch and shortcut, and the draws. */
export const LESION_FIELDS = { ...TRAIN_REST, draws: DRAWS_FIELD } as const;

export type LesionConfig = Omit<TrainConfig, 'arch' | 'shortcut'> & { draws: number };

/** One network's part: its training config and the study's draws. */
export type LesionNetConfig = TrainConfig & { draws: number };

export function validateLesionConfig(input: unknown): Validation<LesionConfig> {
  return validateFields<LesionConfig>(LESION_FIELDS, withFamilyDefaults(input), (c) => {
    // each network's training settings, checked as `train` checks them (a rejected field is
    // absent here and takes its default, so it adds no second message)
    const errors: FieldError[] = [];
    for (const net of LESION_NETS) {
      const checked = validateTrainConfig(trainConfigOf(c, net));
      if (!checked.ok)
        for (const e of checked.errors)
          if (!errors.some((x) => x.key === e.key && x.message === e.message)) errors.push(e);
    }
    return errors;
  });
}

/** The training config of one network of the study. */
export function trainConfigOf(c: LesionConfig, net: LesionNet): TrainConfig {
  const { draws: _draws, ...train } = c;
  // (plain blocks have no shortcut whatever `shortcut` says: the train default keeps this config
  // the one `resnet-lab train --arch plain|resnet` gives with the same flags)
  return { ...train, arch: net, shortcut: true };
}

/** The part that trains and lesions one network. */
export function lesionPart(c: LesionConfig, net: LesionNet): Part {
  const config: LesionNetConfig = { ...trainConfigOf(c, net), draws: c.draws };
  return { kind: 'lesion-net', config };
}

/** A test accuracy in evaluation mode on the whole test set; null: the outputs were not finite. */
export type Accuracy = number | null;

/** What one network's part measures. */
export interface LesionNetResult {
  /** the trained network's last evaluation, on the whole sets (null: it did not finish) */
  final: FinalMetrics | null;
  /** training stopped at this step because the loss was no longer finite; null: it did not */
  diverged: { step: number } | null;
  /** no block deleted: equals `final.testAccuracy` */
  baseline: { testAccuracy: Accuracy };
  /** each block deleted alone, blocks numbered from 0 in forward order */
  single: { block: number; testAccuracy: Accuracy }[];
  /** k random blocks deleted at once, one accuracy per draw */
  random: { k: number; testAccuracy: Accuracy[] }[];
  /** the data the network was measured on */
  dataset: { name: string; classes: number; test: number };
}

export interface LesionRecord {
  schema: typeof LESION_SCHEMA;
  config: LesionConfig;
  plain: LesionNetResult;
  resnet: LesionNetResult;
}

function configRecord(c: LesionConfig): LesionConfig {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(LESION_FIELDS)) out[key] = c[key as keyof LesionConfig];
  return out as LesionConfig;
}

/**
 * The blocks the study deletes, numbered from 0 in forward order: every block of a stack of dense
 * layers (depth − 2)/2; in a convolutional network every block but the first of stages 2 and 3,
 * which halve the maps and double the channels — a plain network has nothing to pass on in their
 * place, so neither network loses them (the two lose the same blocks).
 */
export function lesionBlocks(c: { depth: number; model: TrainConfig['model'] }): number[] {
  const n = (c.depth - 2) / 2;
  const all = Array.from({ length: n }, (_, b) => b);
  if (c.model !== 'conv') return all;
  const perStage = n / 3;
  return all.filter((b) => b !== perStage && b !== 2 * perStage);
}

/** Measurements after training: the baseline, n single lesions, n × draws random ones. */
export function lesionUnits(c: Pick<LesionConfig, 'depth' | 'model' | 'draws'>): number {
  const n = lesionBlocks(c).length;
  return 1 + n + n * c.draws;
}

export function* lesionPlan(c: LesionConfig): Plan<LesionRecord> {
  const results = yield LESION_NETS.map((net) => lesionPart(c, net));
  const [plain, resnet] = results.map((r, i) => {
    // the page's pool answers a part whose worker died with a failure: the study has no record
    if (isPartFailure(r)) throw new Error(`the ${LESION_NETS[i]} network failed: ${r.failed}`);
    return r as LesionNetResult;
  });
  return { schema: LESION_SCHEMA, config: configRecord(c), plain: plain!, resnet: resnet! };
}

/** The median of the finite values (null when there are none). */
export function median(values: readonly Accuracy[]): number | null {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

export const LESION_CSV_COLUMNS = ['net', 'deleted', 'k', 'block', 'draw', 'testAccuracy'] as const;

/**
 * One row per measurement: the baseline (`deleted` none), each single block, each random draw;
 * an empty cell where a column does not apply or the accuracy is null.
 */
export function lesionCSV(record: LesionRecord): string {
  const lines: string[] = [LESION_CSV_COLUMNS.join(',')];
  const row = (cells: (string | number | null)[]) =>
    lines.push(cells.map((x) => (x === null ? '' : String(x))).join(','));
  for (const net of LESION_NETS) {
    const r = record[net];
    row([net, 'none', 0, null, null, r.baseline.testAccuracy]);
    for (const s of r.single) row([net, 'single', 1, s.block, null, s.testAccuracy]);
    for (const k of r.random)
      k.testAccuracy.forEach((a, draw) => row([net, 'random', k.k, null, draw, a]));
  }
  return `${lines.join('\n')}\n`;
}
