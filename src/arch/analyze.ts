/**
 * Parameter and multiply-add counts, and the stage table, computed from an `ArchSpec` by walking
 * the layers exactly as the reference implementation builds them. There is no table of known
 * models in here: every spec in the format goes through the same walk.
 */
import type {
  ArchAnalysis,
  ArchStage,
  CifarResNetSpec,
  DenseNetSpec,
  HighwaySpec,
  ResNetSpec,
} from './types.ts';

/**
 * The counting convention, returned with every analysis.
 *
 * Parameters: every learnable tensor — conv and fully connected weights, fully connected biases,
 * batch-norm scale γ and shift β. Batch-norm running mean and variance are buffers, not
 * parameters, and are excluded. Convolutions have no bias (torchvision and akamaster build them
 * with `bias=False`); every fully connected layer has one.
 *
 * Multiply-adds (MACs): convolutions, k_h·k_w·(C_in/groups)·C_out·H_out·W_out each, and fully
 * connected layers, in·out each. Everything else is excluded: biases, batch norm, ReLU, max and
 * average pooling, residual additions, the zero-padding of option-A shortcuts, dense
 * concatenation, the highway gate products H·T + x·(1 − T), softmax. This is the convention of
 * He et al. 2015 Table 1 ("FLOPs", really multiply-adds) and of torchvision's "GFLOPS" column.
 */
export const COUNT_CONVENTION =
  'params: conv and FC weights, FC biases, BN γ and β (BN running mean/var excluded; convs have no bias). ' +
  'MACs: multiply-adds of convs (k·k·C_in/groups·C_out·H_out·W_out) and FC layers (in·out) only; ' +
  'biases, BN, ReLU, pooling, residual additions, zero-padding shortcuts, concatenation, highway gate products and softmax are not counted.';

/** A problem the field checks cannot see (e.g. a map that shrinks to nothing), with its field path. */
export class ArchError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ArchError';
    this.path = path;
  }
}

export interface AnalyzeOptions {
  /**
   * Side of the square input image (default 224 for `resnet` and `densenet`, 32 for
   * `cifar-resnet`). Ignored by `highway`, whose input is the spec's `inputSize` vector.
   */
  readonly imageSize?: number;
}

/** Output side of a conv or pool: ⌊(h + 2p − k)/s⌋ + 1, as PyTorch computes it. */
function outSide(h: number, k: number, stride: number, pad: number): number {
  return Math.floor((h + 2 * pad - k) / stride) + 1;
}

/** Running totals of one stage. */
class Tally {
  params = 0;
  macs = 0;
  /** conv without bias; `side` is the output side */
  conv(cin: number, cout: number, k: number, side: number, groups = 1): void {
    const weights = (cin / groups) * cout * k * k;
    this.params += weights;
    this.macs += weights * side * side;
  }
  bn(channels: number): void {
    this.params += 2 * channels;
  }
  fc(inFeatures: number, outFeatures: number): void {
    this.params += inFeatures * outFeatures + outFeatures;
    this.macs += inFeatures * outFeatures;
  }
}

const ZERO = new Tally();

function stage(
  name: string,
  label: string,
  outputShape: readonly number[],
  block: string,
  repeats: number,
  detail: string,
  tally: Tally,
): ArchStage {
  const outputSize =
    outputShape.length === 3 ? `${outputShape[1]}×${outputShape[2]}` : `${outputShape[0]}`;
  return {
    name,
    label,
    outputShape,
    outputSize,
    block,
    repeats,
    detail,
    params: tally.params,
    macs: tally.macs,
  };
}

function classifier(features: number, numClasses: number, name: string): ArchStage {
  const t = new Tally();
  t.fc(features, numClasses);
  return stage(
    name,
    'fc',
    [numClasses],
    `${numClasses}-d fc, softmax`,
    1,
    `Linear(${features}, ${numClasses}) with bias`,
    t,
  );
}

function globalPool(channels: number, side: number): ArchStage {
  return stage(
    'avgpool',
    'global pool',
    [channels, 1, 1],
    `${side}×${side} global average pool`,
    1,
    'no parameters',
    ZERO,
  );
}

/** torchvision resnet.py: stem, four stages of BasicBlock or Bottleneck, average pool, fc. */
function resnetStages(s: ResNetSpec, size: number): ArchStage[] {
  const stages: ArchStage[] = [];
  const expansion = s.block === 'bottleneck' ? 4 : 1;
  let t = new Tally();
  let side = outSide(size, 7, 2, 3);
  t.conv(3, 64, 7, side);
  t.bn(64);
  stages.push(
    stage('conv1', 'conv1', [64, side, side], '7×7, 64, stride 2', 1, 'conv, BN, ReLU', t),
  );
  side = outSide(side, 3, 2, 1);
  stages.push(
    stage(
      'maxpool',
      'conv2_x',
      [64, side, side],
      '3×3 max pool, stride 2',
      1,
      'no parameters',
      ZERO,
    ),
  );

  let inplanes = 64;
  for (let i = 0; i < 4; i++) {
    const planes = 64 * 2 ** i;
    const stride = i === 0 ? 1 : 2;
    const blocks = s.layers[i]!;
    const width = Math.floor((planes * s.widthPerGroup) / 64) * s.groups;
    const out = planes * expansion;
    const stageIn = inplanes;
    let projected = false;
    t = new Tally();
    for (let b = 0; b < blocks; b++) {
      const st = b === 0 ? stride : 1;
      const blockOut = outSide(side, 3, st, 1);
      if (s.block === 'basic') {
        t.conv(inplanes, planes, 3, blockOut);
        t.bn(planes);
        t.conv(planes, planes, 3, blockOut);
        t.bn(planes);
      } else {
        const s1 = s.strideIn === '1x1' ? st : 1;
        const side1 = outSide(side, 1, s1, 0);
        t.conv(inplanes, width, 1, side1);
        t.bn(width);
        const side2 = outSide(side1, 3, st / s1, 1);
        t.conv(width, width, 3, side2, s.groups);
        t.bn(width);
        t.conv(width, out, 1, side2);
        t.bn(out);
      }
      if (st !== 1 || inplanes !== out) {
        t.conv(inplanes, out, 1, outSide(side, 1, st, 0));
        t.bn(out);
        projected = true;
      }
      inplanes = out;
      side = blockOut;
    }
    const card = s.groups > 1 ? `, C=${s.groups}` : '';
    const block =
      s.block === 'basic'
        ? `[3×3, ${planes}; 3×3, ${planes}] × ${blocks}`
        : `[1×1, ${width}; 3×3, ${width}${card}; 1×1, ${out}] × ${blocks}`;
    const notes: string[] = [];
    if (stride !== 1) {
      const where = s.block === 'basic' ? 'first 3×3' : s.strideIn === '1x1' ? '1×1' : '3×3';
      notes.push(`stride 2 in the first block's ${where} conv`);
    }
    notes.push(
      projected
        ? `first block: projection shortcut (1×1, ${out}, stride ${stride} + BN) from ${stageIn} channels; identity shortcuts after`
        : 'identity shortcuts',
    );
    stages.push(
      stage(
        `layer${i + 1}`,
        `conv${i + 2}_x`,
        [out, side, side],
        block,
        blocks,
        notes.join('; '),
        t,
      ),
    );
  }
  stages.push(globalPool(inplanes, side));
  stages.push(classifier(inplanes, s.numClasses, 'fc'));
  return stages;
}

/** torchvision densenet.py: stem, dense blocks with transitions between them, BN, pool, classifier. */
function densenetStages(s: DenseNetSpec, size: number): ArchStage[] {
  const stages: ArchStage[] = [];
  const k = s.growthRate;
  const inner = s.bnSize * k;
  let t = new Tally();
  let side = outSide(size, 7, 2, 3);
  t.conv(3, s.numInitFeatures, 7, side);
  t.bn(s.numInitFeatures);
  stages.push(
    stage(
      'conv0',
      'Convolution',
      [s.numInitFeatures, side, side],
      `7×7, ${s.numInitFeatures}, stride 2`,
      1,
      'conv0, norm0, relu0',
      t,
    ),
  );
  side = outSide(side, 3, 2, 1);
  stages.push(
    stage(
      'pool0',
      'Pooling',
      [s.numInitFeatures, side, side],
      '3×3 max pool, stride 2',
      1,
      'no parameters',
      ZERO,
    ),
  );

  let features = s.numInitFeatures;
  s.blockConfig.forEach((layers, i) => {
    t = new Tally();
    for (let j = 0; j < layers; j++) {
      const cin = features + j * k;
      t.bn(cin);
      t.conv(cin, inner, 1, side);
      t.bn(inner);
      t.conv(inner, k, 3, side);
    }
    const before = features;
    features += layers * k;
    stages.push(
      stage(
        `denseblock${i + 1}`,
        `Dense Block (${i + 1})`,
        [features, side, side],
        `[1×1, ${inner}; 3×3, ${k}] × ${layers}`,
        layers,
        `each layer: BN-ReLU-conv 1×1 then BN-ReLU-conv 3×3 on the concatenation of all earlier maps; ${before} → ${features} channels`,
        t,
      ),
    );
    if (i === s.blockConfig.length - 1) return;
    if (side < 2)
      throw new ArchError(
        'blockConfig',
        `${s.blockConfig.length} dense blocks need ${s.blockConfig.length - 1} transitions that each halve the map, ` +
          `but the map is already ${side}×${side} before transition ${i + 1} at input ${size}×${size}`,
      );
    t = new Tally();
    const halved = Math.floor(features / 2);
    t.bn(features);
    t.conv(features, halved, 1, side);
    side = outSide(side, 2, 2, 0);
    stages.push(
      stage(
        `transition${i + 1}`,
        `Transition Layer (${i + 1})`,
        [halved, side, side],
        `1×1, ${halved}; 2×2 avg pool, stride 2`,
        1,
        `BN-ReLU-conv 1×1 (${features} → ${halved} channels), then 2×2 average pool`,
        t,
      ),
    );
    features = halved;
  });
  t = new Tally();
  t.bn(features);
  stages.push(
    stage('norm5', 'final BN', [features, side, side], 'BN, ReLU', 1, 'norm5, then ReLU', t),
  );
  stages.push(globalPool(features, side));
  stages.push(classifier(features, s.numClasses, 'classifier'));
  return stages;
}

/** akamaster resnet.py: 3×3 stem, three stages of n basic blocks (16/32/64 filters), pool, linear. */
function cifarStages(s: CifarResNetSpec, size: number): ArchStage[] {
  const stages: ArchStage[] = [];
  let t = new Tally();
  let side = outSide(size, 3, 1, 1);
  t.conv(3, 16, 3, side);
  t.bn(16);
  stages.push(stage('conv1', 'conv1', [16, side, side], '3×3, 16', 1, 'conv, BN, ReLU', t));
  let inplanes = 16;
  for (let i = 0; i < 3; i++) {
    const planes = 16 * 2 ** i;
    const stride = i === 0 ? 1 : 2;
    t = new Tally();
    for (let b = 0; b < s.n; b++) {
      const st = b === 0 ? stride : 1;
      const blockOut = outSide(side, 3, st, 1);
      t.conv(inplanes, planes, 3, blockOut);
      t.bn(planes);
      t.conv(planes, planes, 3, blockOut);
      t.bn(planes);
      if ((st !== 1 || inplanes !== planes) && s.shortcut === 'B') {
        t.conv(inplanes, planes, 1, outSide(side, 1, st, 0));
        t.bn(planes);
      }
      inplanes = planes;
      side = blockOut;
    }
    const detail =
      stride === 1
        ? 'identity shortcuts'
        : `stride 2 in the first block's first conv; its shortcut is ` +
          (s.shortcut === 'A'
            ? `option A: subsample by 2 and zero-pad ${planes / 4} channels on each side (no parameters)`
            : `option B: 1×1, ${planes}, stride 2 conv + BN`) +
          '; identity shortcuts after';
    stages.push(
      stage(
        `layer${i + 1}`,
        `${side}×${side} maps`,
        [planes, side, side],
        `[3×3, ${planes}; 3×3, ${planes}] × ${s.n}`,
        s.n,
        detail,
        t,
      ),
    );
  }
  stages.push(globalPool(inplanes, side));
  stages.push(classifier(inplanes, s.numClasses, 'linear'));
  return stages;
}

/** Srivastava et al. 2015 §3.1: a plain layer, depth − 1 fully connected highway layers, softmax. */
function highwayStages(s: HighwaySpec): ArchStage[] {
  const stages: ArchStage[] = [];
  let t = new Tally();
  t.fc(s.inputSize, s.width);
  stages.push(
    stage(
      'plain',
      'plain layer',
      [s.width],
      `fc ${s.inputSize}→${s.width}`,
      1,
      'fully connected with bias, then the nonlinearity; sets the width of the highway layers',
      t,
    ),
  );
  const highways = s.depth - 1;
  if (highways > 0) {
    t = new Tally();
    for (let i = 0; i < highways; i++) {
      t.fc(s.width, s.width); // H
      t.fc(s.width, s.width); // T
    }
    stages.push(
      stage(
        'highway',
        'highway layers',
        [s.width],
        `[H: fc ${s.width}→${s.width}; T: fc ${s.width}→${s.width}, sigmoid] × ${highways}`,
        highways,
        `y = H(x)·T(x) + x·(1 − T(x)); T's bias starts at ${s.gateBias}`,
        t,
      ),
    );
  }
  stages.push(classifier(s.width, s.numClasses, 'classifier'));
  return stages;
}

/**
 * Counts and stage table of a spec whose fields are already known to be in range (the caller
 * validates). Throws `ArchError` for what only the walk can see: a map that shrinks below what
 * a pool needs, or counts beyond exact double-precision integers.
 */
export function analyzeChecked(
  spec: ResNetSpec | DenseNetSpec | CifarResNetSpec | HighwaySpec,
  options: AnalyzeOptions = {},
): ArchAnalysis {
  let stages: ArchStage[];
  let inputShape: number[];
  if (spec.family === 'highway') {
    stages = highwayStages(spec);
    inputShape = [spec.inputSize];
  } else {
    const size = options.imageSize ?? (spec.family === 'cifar-resnet' ? 32 : 224);
    if (!Number.isInteger(size) || size < 1 || size > 1 << 16)
      throw new ArchError('imageSize', `expected an integer from 1 to 65536, got ${size}`);
    inputShape = [3, size, size];
    stages =
      spec.family === 'resnet'
        ? resnetStages(spec, size)
        : spec.family === 'densenet'
          ? densenetStages(spec, size)
          : cifarStages(spec, size);
  }
  let params = 0;
  let macs = 0;
  for (const st of stages) {
    params += st.params;
    macs += st.macs;
  }
  if (!Number.isSafeInteger(params) || !Number.isSafeInteger(macs))
    throw new ArchError(
      'spec',
      `the counts (${params.toExponential(3)} parameters, ${macs.toExponential(3)} multiply-adds) exceed 2^53 and cannot be exact; use smaller values`,
    );
  return {
    params,
    macs,
    inputShape,
    inputSize: inputShape.join('×'),
    stages,
    convention: COUNT_CONVENTION,
  };
}
