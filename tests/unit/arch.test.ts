/**
 * The architecture calculator against the published numbers (shared/reference/literature.md)
 * and against counts derived here independently: closed-form sums over the layers, written
 * apart from src/arch's layer walk, for specs no paper lists.
 */
import { describe, expect, it } from 'vitest';
import {
  analyzeArch,
  archByName,
  ArchError,
  BUILTIN_ARCH_INFO,
  BUILTIN_ARCH_NAMES,
  BUILTIN_ARCHS,
  validateArchSpec,
  type ArchSpec,
  type DenseNetSpec,
  type ResNetSpec,
} from '../../src/arch/index.ts';

const builtin = (name: string): ArchSpec => {
  const spec = BUILTIN_ARCHS[name];
  if (!spec) throw new Error(`no builtin ${name}`);
  return spec;
};
const count = (name: string) => analyzeArch(builtin(name));
/** G multiply-adds with the number of decimals a source states */
const giga = (macs: number, decimals: number) => (macs / 1e9).toFixed(decimals);

function errorsOf(input: unknown): string[] {
  const result = validateArchSpec(input);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.errors;
}

// ---------------------------------------------------------------------------------------------
// Independent counts: closed forms over the fixed 224×224 geometry (stem 112², stages 56², 28²,
// 14², 7²) and the 32×32 CIFAR geometry, per-layer sums folded into arithmetic series.

/** torchvision ResNet at 224×224, by stage-level sums. */
function resnetByFormula(s: ResNetSpec): { params: number; macs: number } {
  const e = s.block === 'bottleneck' ? 4 : 1;
  let params = 3 * 7 * 7 * 64 + 2 * 64;
  let macs = 3 * 7 * 7 * 64 * 112 * 112;
  const sides = [56, 28, 14, 7];
  for (let i = 0; i < 4; i++) {
    const p = 64 * 2 ** i;
    const area = sides[i]! ** 2;
    const n = s.layers[i]!;
    const cin = i === 0 ? 64 : 32 * 2 ** i * e; // what the previous stage put out
    const out = p * e;
    if (s.block === 'basic') {
      const weights = 9 * cin * p + 9 * p * p + (n - 1) * 18 * p * p;
      params += weights + n * 4 * p;
      macs += weights * area;
    } else {
      const w = s.widthPerGroup * (p / 64) * s.groups;
      const reduce = n * 9 * ((w * w) / s.groups) + n * w * out; // 3×3 and 1×1 expand, all blocks
      params += cin * w + (n - 1) * out * w + reduce + n * (4 * w + 2 * out);
      // the first block's 1×1 reduce runs on the stage's input map, twice the side in V1.5
      const firstArea = i > 0 && s.strideIn === '3x3' ? 4 * area : area;
      macs += cin * w * firstArea + ((n - 1) * out * w + reduce) * area;
    }
    if (i > 0 || cin !== out) {
      params += cin * out + 2 * out;
      macs += cin * out * area;
    }
  }
  params += 512 * e * s.numClasses + s.numClasses;
  macs += 512 * e * s.numClasses;
  return { params, macs };
}

/** torchvision DenseNet at 224×224; a block's inputs c, c+k, … summed as a series. */
function densenetByFormula(s: DenseNetSpec): { params: number; macs: number } {
  const { growthRate: k, bnSize: b, numClasses: classes } = s;
  let c = s.numInitFeatures;
  let side = 56;
  let params = 3 * 49 * c + 2 * c;
  let macs = 3 * 49 * c * 112 * 112;
  s.blockConfig.forEach((L, i) => {
    const inputs = L * c + (k * L * (L - 1)) / 2; // Σ_j (c + j·k)
    params += 2 * inputs + b * k * inputs + L * (2 * b * k + 9 * b * k * k);
    macs += (b * k * inputs + L * 9 * b * k * k) * side * side;
    c += L * k;
    if (i < s.blockConfig.length - 1) {
      const half = Math.floor(c / 2);
      params += 2 * c + c * half;
      macs += c * half * side * side;
      c = half;
      side = Math.floor(side / 2);
    }
  });
  params += 2 * c + c * classes + classes;
  macs += c * classes;
  return { params, macs };
}

/**
 * akamaster CIFAR ResNet, option A, by hand: stem 3·9·16 + 32 = 464; stage 1: n·2·(9·16² + 32);
 * stage 2: 9·16·32 + 9·32² + 128 + (n−1)·2·(9·32² + 64); stage 3 likewise with 32→64; the
 * linear layer 64·C + C. Collecting terms: 97216·n − 22576 + 65·C. Option B adds the two
 * projections 16·32 + 64 and 32·64 + 128 = 2752.
 */
const cifarParams = (n: number, shortcut: 'A' | 'B', classes = 10) =>
  97216 * n - 22576 + 65 * classes + (shortcut === 'B' ? 2752 : 0);
/**
 * MACs: stem 27·16·32² = 442,368; stage 1: 2n·9·16²·32² = 4,718,592·n; stages 2 and 3 each
 * 9·16·32·16² + (2n−1)·9·32²·16² (the same numbers at 8² with twice the channels); linear 64·C.
 * Together 14,155,776·n − 1,916,928 + 64·C; option B adds 16·32·16² + 32·64·8² = 262,144.
 */
const cifarMacs = (n: number, shortcut: 'A' | 'B', classes = 10) =>
  14155776 * n - 1916928 + 64 * classes + (shortcut === 'B' ? 262144 : 0);

const resnetSpec = (over: Partial<ResNetSpec>): ResNetSpec => ({
  family: 'resnet',
  block: 'bottleneck',
  layers: [3, 4, 6, 3],
  groups: 1,
  widthPerGroup: 64,
  numClasses: 1000,
  strideIn: '3x3',
  ...over,
});

// ---------------------------------------------------------------------------------------------

describe('published counts (literature.md)', () => {
  const RESNETS: [number, number, string, string][] = [
    // depth, torchvision params, MACs V1 ("1x1"), MACs V1.5 ("3x3")
    [18, 11_689_512, '1.814', '1.814'],
    [34, 21_797_672, '3.664', '3.664'],
    [50, 25_557_032, '3.858', '4.089'],
    [101, 44_549_160, '7.570', '7.801'],
    [152, 60_192_808, '11.282', '11.514'],
  ];
  it.each(RESNETS)('ResNet-%i: %i params, %s G MACs (V1), %s G (V1.5)', (d, params, v1, v15) => {
    const torchvision = count(`resnet${d}`);
    const original = count(`resnet${d}-v1`);
    expect(torchvision.params).toBe(params);
    expect(original.params).toBe(params);
    expect(giga(original.macs, 3)).toBe(v1);
    expect(giga(torchvision.macs, 3)).toBe(v15);
  });

  it('ResNet Table 1 FLOPs 1.8 / 3.6 / 3.8 / 7.6 / 11.3 ×10⁹ are the V1 counts to within 0.1 G', () => {
    const paper = [1.8, 3.6, 3.8, 7.6, 11.3];
    [18, 34, 50, 101, 152].forEach((d, i) => {
      const g = count(`resnet${d}-v1`).macs / 1e9;
      expect(Math.abs(g - paper[i]!)).toBeLessThan(0.1);
      // the paper truncates (3.664 → 3.6, 3.858 → 3.8) or rounds (7.570 → 7.6, 11.282 → 11.3)
      expect([Math.floor(g * 10) / 10, Math.round(g * 10) / 10]).toContain(paper[i]);
    });
  });

  it('ResNeXt-50 (32×4d): 25,028,904 params, 4.23 G MACs', () => {
    const a = count('resnext50_32x4d');
    expect(a.params).toBe(25_028_904);
    expect(giga(a.macs, 2)).toBe('4.23');
  });

  it.each([
    [121, 7_978_856, '2.834'],
    [169, 14_149_480, '3.36'],
    [201, 20_013_928, '4.29'],
  ])('DenseNet-%i: %i params, %s G MACs', (d, params, macs) => {
    const a = count(`densenet${d}`);
    expect(a.params).toBe(params);
    expect(giga(a.macs, macs.split('.')[1]!.length)).toBe(macs);
  });

  it.each([
    // n, depth, option A, option B, Table 6 "params"
    [3, 20, 269_722, 272_474, '0.27'],
    [5, 32, 464_154, 466_906, '0.46'],
    [7, 44, 658_586, 661_338, '0.66'],
    [9, 56, 853_018, 855_770, '0.85'],
    [18, 110, 1_727_962, 1_730_714, '1.7'],
  ])(
    'CIFAR ResNet n=%i (depth %i): %i params (A), %i (B), Table 6 %sM',
    (n, depth, a, b, paper) => {
      const optionA = count(`cifar-resnet${depth}`);
      expect(builtin(`cifar-resnet${depth}`)).toMatchObject({ n, shortcut: 'A' });
      expect(optionA.params).toBe(a);
      expect(analyzeArch({ family: 'cifar-resnet', n, shortcut: 'B', numClasses: 10 }).params).toBe(
        b,
      );
      expect((a / 1e6).toFixed(paper.split('.')[1]!.length)).toBe(paper);
    },
  );

  it('CIFAR ResNet-1202 (n=200): 19,421,274 params, Table 6 "19.4M"', () => {
    const a = count('cifar-resnet1202');
    expect(a.params).toBe(19_421_274);
    expect((a.params / 1e6).toFixed(1)).toBe('19.4');
  });

  it('Highway §3.1: 10/20/50/100 layers = one plain layer + 9/19/49/99 highway layers of ~5000 params', () => {
    for (const depth of [10, 20, 50, 100]) {
      const a = count(`highway-${depth}`);
      const plain = a.stages.find((s) => s.name === 'plain')!;
      const highway = a.stages.find((s) => s.name === 'highway')!;
      expect(plain.repeats + highway.repeats).toBe(depth);
      expect(highway.repeats).toBe(depth - 1);
      const perLayer = highway.params / highway.repeats;
      expect(perLayer).toBe(2 * (50 * 50 + 50)); // H and T, each 50→50 with bias
      // "about 5000 parameters per layer": the plain nets' 71 units give 71·71 + 71 = 5112
      expect(Math.abs(perLayer - 5000) / 5000).toBeLessThan(0.03);
      expect(Math.abs(71 * 71 + 71 - perLayer)).toBeLessThan(20);
    }
  });

  it('ResNeXt Eq. 4: a 32×4d block has C·(256d + 9d² + 256d) = 70,144 conv weights, a ResNet block 69,632', () => {
    // one more block in conv2_x adds exactly one block of conv weights plus its BN (γ, β)
    const extra = (over: Partial<ResNetSpec>) =>
      analyzeArch(resnetSpec({ ...over, layers: [4, 4, 6, 3] })).params -
      analyzeArch(resnetSpec({ ...over, layers: [3, 4, 6, 3] })).params;
    expect(extra({ groups: 32, widthPerGroup: 4 })).toBe(
      32 * (256 * 4 + 9 * 16 + 4 * 256) + 2 * (128 + 128 + 256),
    );
    expect(32 * (256 * 4 + 9 * 16 + 4 * 256)).toBe(70_144);
    expect(extra({})).toBe(256 * 64 + 9 * 64 * 64 + 64 * 256 + 2 * (64 + 64 + 256));
  });
});

describe("stage tables match the papers' tables", () => {
  it('ResNet-50 (He et al. Table 1)', () => {
    const a = count('resnet50');
    const rows = a.stages.map((s) => [s.label, s.outputSize, s.block, s.repeats]);
    expect(rows).toEqual([
      ['conv1', '112×112', '7×7, 64, stride 2', 1],
      ['conv2_x', '56×56', '3×3 max pool, stride 2', 1],
      ['conv2_x', '56×56', '[1×1, 64; 3×3, 64; 1×1, 256] × 3', 3],
      ['conv3_x', '28×28', '[1×1, 128; 3×3, 128; 1×1, 512] × 4', 4],
      ['conv4_x', '14×14', '[1×1, 256; 3×3, 256; 1×1, 1024] × 6', 6],
      ['conv5_x', '7×7', '[1×1, 512; 3×3, 512; 1×1, 2048] × 3', 3],
      ['global pool', '1×1', '7×7 global average pool', 1],
      ['fc', '1000', '1000-d fc, softmax', 1],
    ]);
    expect(a.stages.map((s) => s.name)).toEqual([
      'conv1',
      'maxpool',
      'layer1',
      'layer2',
      'layer3',
      'layer4',
      'avgpool',
      'fc',
    ]);
    expect(a.inputShape).toEqual([3, 224, 224]);
    expect(a.inputSize).toBe('3×224×224');
    expect(a.stages[3]!.detail).toContain("stride 2 in the first block's 3×3 conv");
    expect(count('resnet50-v1').stages[3]!.detail).toContain(
      "stride 2 in the first block's 1×1 conv",
    );
  });

  it('ResNet-18 and ResNeXt-50 block texts', () => {
    expect(
      count('resnet18')
        .stages.slice(2, 6)
        .map((s) => s.block),
    ).toEqual([
      '[3×3, 64; 3×3, 64] × 2',
      '[3×3, 128; 3×3, 128] × 2',
      '[3×3, 256; 3×3, 256] × 2',
      '[3×3, 512; 3×3, 512] × 2',
    ]);
    expect(
      count('resnext50_32x4d')
        .stages.slice(2, 6)
        .map((s) => s.block),
    ).toEqual([
      '[1×1, 128; 3×3, 128, C=32; 1×1, 256] × 3',
      '[1×1, 256; 3×3, 256, C=32; 1×1, 512] × 4',
      '[1×1, 512; 3×3, 512, C=32; 1×1, 1024] × 6',
      '[1×1, 1024; 3×3, 1024, C=32; 1×1, 2048] × 3',
    ]);
  });

  it('DenseNet-121 (Huang et al. Table 1) with torchvision module names', () => {
    const a = count('densenet121');
    expect(a.stages.map((s) => [s.name, s.outputSize, s.repeats])).toEqual([
      ['conv0', '112×112', 1],
      ['pool0', '56×56', 1],
      ['denseblock1', '56×56', 6],
      ['transition1', '28×28', 1],
      ['denseblock2', '28×28', 12],
      ['transition2', '14×14', 1],
      ['denseblock3', '14×14', 24],
      ['transition3', '7×7', 1],
      ['denseblock4', '7×7', 16],
      ['norm5', '7×7', 1],
      ['avgpool', '1×1', 1],
      ['classifier', '1000', 1],
    ]);
    expect(a.stages[2]!.block).toBe('[1×1, 128; 3×3, 32] × 6');
    // channels: 64 + 6·32 = 256 → 128; 128 + 12·32 = 512 → 256; 256 + 24·32 = 1024 → 512; 512 + 16·32 = 1024
    expect(a.stages.map((s) => s.outputShape[0])).toEqual([
      64, 64, 256, 128, 512, 256, 1024, 512, 1024, 1024, 1024, 1000,
    ]);
  });

  it('CIFAR ResNet: 32×32, 16×16, 8×8 maps with 16, 32, 64 filters, 1 + 2n, 2n, 2n layers', () => {
    const a = count('cifar-resnet56');
    expect(a.inputShape).toEqual([3, 32, 32]);
    expect(a.stages.map((s) => [s.name, s.outputShape])).toEqual([
      ['conv1', [16, 32, 32]],
      ['layer1', [16, 32, 32]],
      ['layer2', [32, 16, 16]],
      ['layer3', [64, 8, 8]],
      ['avgpool', [64, 1, 1]],
      ['linear', [10]],
    ]);
    expect(a.stages[2]!.block).toBe('[3×3, 32; 3×3, 32] × 9');
    expect(a.stages[2]!.detail).toContain('option A');
  });

  it('every stage table adds up to the totals', () => {
    for (const name of BUILTIN_ARCH_NAMES) {
      const a = count(name);
      expect(a.stages.reduce((sum, s) => sum + s.params, 0)).toBe(a.params);
      expect(a.stages.reduce((sum, s) => sum + s.macs, 0)).toBe(a.macs);
      expect(a.convention).toMatch(/conv.*FC/);
    }
  });
});

describe('any spec in the format: independent formulas', () => {
  it('ResNet [1,1,1,1] basic, 10 classes, by hand: 4,910,922 params', () => {
    // stem 9,408 + 128; layer1 2·36,864 + 256; layer2 73,728 + 147,456 + 512 + proj 8,192 + 256;
    // layer3 294,912 + 589,824 + 1,024 + proj 32,768 + 512; layer4 1,179,648 + 2,359,296 + 2,048
    // + proj 131,072 + 1,024; fc 5,120 + 10
    const byHand =
      9408 +
      128 +
      (73728 + 256) +
      (73728 + 147456 + 512 + 8192 + 256) +
      (294912 + 589824 + 1024 + 32768 + 512) +
      (1179648 + 2359296 + 2048 + 131072 + 1024) +
      5130;
    expect(byHand).toBe(4_910_922);
    const spec = resnetSpec({ block: 'basic', layers: [1, 1, 1, 1], numClasses: 10 });
    expect(analyzeArch(spec).params).toBe(byHand);
    expect(analyzeArch(spec)).toMatchObject(resnetByFormula(spec));
  });

  const variants: Partial<ResNetSpec>[] = [
    { block: 'basic', layers: [2, 2, 2, 2] },
    { block: 'basic', layers: [5, 1, 3, 2], numClasses: 7 },
    { block: 'bottleneck', layers: [1, 1, 1, 1], numClasses: 10 },
    { block: 'bottleneck', layers: [2, 5, 1, 7], strideIn: '1x1' },
    { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 8 },
    { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 64, widthPerGroup: 4, strideIn: '1x1' },
    { block: 'bottleneck', layers: [1, 2, 1, 2], groups: 3, widthPerGroup: 5, numClasses: 21 },
    { block: 'bottleneck', layers: [3, 4, 6, 3], widthPerGroup: 128 }, // wide_resnet50_2
  ];
  it.each(variants)('ResNet %o matches the closed form', (over) => {
    const spec = resnetSpec(over);
    expect(analyzeArch(spec)).toMatchObject(resnetByFormula(spec));
  });

  it('the closed form itself reproduces the published ResNet numbers', () => {
    expect(resnetByFormula(resnetSpec({})).params).toBe(25_557_032);
    expect(giga(resnetByFormula(resnetSpec({ strideIn: '1x1' })).macs, 3)).toBe('3.858');
    // wide_resnet50_2 (torchvision docs: 68,883,240 params, 11.4 GFLOPS)
    const wide = resnetByFormula(resnetSpec({ widthPerGroup: 128 }));
    expect(wide.params).toBe(68_883_240);
    expect(giga(wide.macs, 1)).toBe('11.4');
  });

  const dense: Partial<DenseNetSpec>[] = [
    { blockConfig: [2, 2] },
    { blockConfig: [2, 2], growthRate: 12, numInitFeatures: 24, bnSize: 2, numClasses: 10 },
    { blockConfig: [3], growthRate: 7, numInitFeatures: 5 },
    { blockConfig: [6, 12, 36, 24], growthRate: 48, numInitFeatures: 96 }, // torchvision densenet161
    { blockConfig: [1, 1, 1, 1, 1], growthRate: 3, numInitFeatures: 9, bnSize: 1 },
  ];
  it.each(dense)('DenseNet %o matches the series formula', (over) => {
    const spec: DenseNetSpec = {
      family: 'densenet',
      growthRate: 32,
      blockConfig: [6, 12, 24, 16],
      numInitFeatures: 64,
      bnSize: 4,
      numClasses: 1000,
      ...over,
    };
    expect(analyzeArch(spec)).toMatchObject(densenetByFormula(spec));
  });

  it('DenseNet [2, 2] by hand', () => {
    // stem 9,408 + 128; block 1: layer inputs 64 and 96 → BN 2·(64+96), 1×1 (64+96)·128,
    // BN 2·2·128, 3×3 2·9·128·32; transition BN 2·128 + 128·64; block 2 inputs 64, 96 again;
    // norm5 2·128; classifier 128·1000 + 1000
    const block = 2 * 160 + 160 * 128 + 4 * 128 + 2 * 9 * 128 * 32;
    const byHand = 9536 + block + (256 + 128 * 64) + block + 256 + 129_000;
    const spec = validateArchSpec({ family: 'densenet', blockConfig: [2, 2] });
    expect(spec.ok).toBe(true);
    if (spec.ok) expect(analyzeArch(spec.value).params).toBe(byHand);
  });

  it('densenet161 (not a builtin): torchvision docs 28,681,000 params, 7.73 GFLOPS', () => {
    const a = analyzeArch({
      family: 'densenet',
      growthRate: 48,
      blockConfig: [6, 12, 36, 24],
      numInitFeatures: 96,
      bnSize: 4,
      numClasses: 1000,
    });
    expect(a.params).toBe(28_681_000);
    expect(giga(a.macs, 2)).toBe('7.73');
  });

  it.each([1, 2, 3, 4, 9, 18, 200, 333])(
    'CIFAR ResNet n=%i, options A and B, 10 and 100 classes',
    (n) => {
      for (const shortcut of ['A', 'B'] as const) {
        for (const numClasses of [10, 100]) {
          const a = analyzeArch({ family: 'cifar-resnet', n, shortcut, numClasses });
          expect(a.params).toBe(cifarParams(n, shortcut, numClasses));
          expect(a.macs).toBe(cifarMacs(n, shortcut, numClasses));
        }
      }
    },
  );

  it.each([
    [1, 3, 5, 2],
    [10, 50, 784, 10],
    [7, 71, 100, 3],
  ])('Highway depth %i, width %i, input %i, %i classes', (depth, width, inputSize, numClasses) => {
    const a = analyzeArch({ family: 'highway', depth, width, inputSize, numClasses, gateBias: -3 });
    expect(a.params).toBe(
      inputSize * width +
        width +
        (depth - 1) * 2 * (width * width + width) +
        width * numClasses +
        numClasses,
    );
    expect(a.macs).toBe(inputSize * width + (depth - 1) * 2 * width * width + width * numClasses);
    expect(a.inputShape).toEqual([inputSize]);
  });
});

describe('invariants', () => {
  it('strideIn changes MACs but not params; bottleneck V1.5 − V1 = 3·C_in·w·s² per downsampling stage', () => {
    // conv1 (1×1, C_in → w) of the first block of stages 2–4 runs on (2s)² instead of s²:
    // 3·256·128·28² = 3·512·256·14² = 3·1024·512·7² = 77,070,336 each, whatever the depth
    for (const d of [50, 101, 152]) {
      const v15 = count(`resnet${d}`);
      const v1 = count(`resnet${d}-v1`);
      expect(v15.params).toBe(v1.params);
      expect(v15.macs - v1.macs).toBe(3 * 77_070_336);
    }
    for (const d of [18, 34]) expect(count(`resnet${d}`)).toEqual(count(`resnet${d}-v1`));
  });

  it('option A and option B differ by exactly the two projections (1×1 conv + BN)', () => {
    for (const n of [3, 5, 7, 9, 18, 200]) {
      const a = analyzeArch({ family: 'cifar-resnet', n, shortcut: 'A', numClasses: 10 });
      const b = analyzeArch({ family: 'cifar-resnet', n, shortcut: 'B', numClasses: 10 });
      expect(b.params - a.params).toBe(16 * 32 + 2 * 32 + (32 * 64 + 2 * 64));
      expect(b.macs - a.macs).toBe(16 * 32 * 16 * 16 + 32 * 64 * 8 * 8);
    }
  });

  it('numClasses only changes the classifier: (C′ − C)·(features + 1) params', () => {
    const r = (numClasses: number) => analyzeArch(resnetSpec({ numClasses }));
    expect(r(10).params - r(1000).params).toBe(-990 * 2049);
    expect(r(10).macs - r(1000).macs).toBe(-990 * 2048);
  });

  it('doubling the image side quadruples every conv MAC and leaves params alone', () => {
    for (const name of [
      'resnet50',
      'resnet50-v1',
      'resnext50_32x4d',
      'densenet121',
      'cifar-resnet20',
    ]) {
      const spec = builtin(name);
      const base = analyzeArch(spec);
      const big = analyzeArch(spec, { imageSize: 2 * base.inputShape[1]! });
      const fc = base.stages.at(-1)!.macs;
      expect(big.params).toBe(base.params);
      expect(big.macs).toBe(4 * (base.macs - fc) + fc);
      expect(big.inputShape).toEqual([3, 2 * base.inputShape[1]!, 2 * base.inputShape[1]!]);
    }
  });

  it("odd image sizes follow PyTorch's ⌊(h + 2p − k)/s⌋ + 1 (ResNet at 225: 113, 57, 29, 15, 8)", () => {
    const a = analyzeArch(builtin('resnet18'), { imageSize: 225 });
    expect(a.stages.slice(0, 6).map((s) => s.outputShape[1])).toEqual([113, 57, 57, 29, 15, 8]);
  });

  it('gateBias changes no count', () => {
    const base = builtin('highway-20');
    expect(analyzeArch({ ...base, gateBias: -7 } as ArchSpec)).toMatchObject({
      params: count('highway-20').params,
      macs: count('highway-20').macs,
    });
  });
});

describe('validateArchSpec', () => {
  it('accepts every builtin unchanged and round-trips JSON', () => {
    for (const name of BUILTIN_ARCH_NAMES) {
      const result = validateArchSpec(JSON.parse(JSON.stringify(builtin(name))));
      expect(result).toEqual({ ok: true, value: builtin(name) });
    }
  });

  it("fills torchvision's defaults (DenseNet() is densenet121; ResNet groups 1, width 64, 1000 classes, V1.5)", () => {
    const d = validateArchSpec({ family: 'densenet' });
    expect(d.ok && analyzeArch(d.value).params).toBe(7_978_856);
    const r = validateArchSpec({ family: 'resnet', block: 'bottleneck', layers: [3, 4, 6, 3] });
    expect(r).toEqual({ ok: true, value: builtin('resnet50') });
    const c = validateArchSpec({ family: 'cifar-resnet', n: 3 });
    expect(c).toEqual({ ok: true, value: builtin('cifar-resnet20') });
  });

  it('names the path of a wrong type inside an array', () => {
    expect(errorsOf({ family: 'resnet', block: 'basic', layers: [2, 2, 'six', 2] })).toEqual([
      'layers[2]: expected a positive integer, got "six"',
    ]);
    expect(errorsOf({ family: 'densenet', blockConfig: [6, 2.5, 0] })).toEqual([
      'blockConfig[1]: expected a positive integer, got 2.5',
      'blockConfig[2]: expected a positive integer, got 0',
    ]);
  });

  it('rejects unknown fields by name, with a suggestion', () => {
    const errors = errorsOf({ family: 'densenet', blok: [6, 12] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^blok: unknown field "blok" for family "densenet" \(did you mean "blockConfig"\?\)/,
    );
    // torchvision's snake_case names point to the camelCase field
    expect(
      errorsOf({ family: 'resnet', block: 'basic', layers: [2, 2, 2, 2], num_classes: 10 })[0],
    ).toMatch(/^num_classes: unknown field .*did you mean "numClasses"/);
    // a field of another family
    expect(errorsOf({ family: 'cifar-resnet', n: 3, growthRate: 12 })[0]).toMatch(
      /^growthRate: unknown field "growthRate" for family "cifar-resnet"/,
    );
  });

  it('reports every problem at once', () => {
    const errors = errorsOf({
      family: 'resnet',
      block: 'bottle',
      layers: [3, 4, 6],
      groups: 0,
      strideIn: '2x2',
      extra: true,
    });
    expect(errors).toEqual([
      expect.stringMatching(/^extra: unknown field/),
      'block: expected one of "basic", "bottleneck", got "bottle" (did you mean "bottleneck"?)',
      'layers: expected 4 entries, got 3',
      'groups: expected a positive integer, got 0',
      'strideIn: expected one of "3x3", "1x1", got "2x2"',
    ]);
  });

  it('wrong types and missing required fields', () => {
    expect(errorsOf(null)).toEqual(['spec: expected an object, got null']);
    expect(errorsOf([1, 2])).toEqual(['spec: expected an object, got [1,2]']);
    expect(errorsOf({})).toEqual([
      'family: expected one of "resnet", "densenet", "cifar-resnet", "highway", got nothing',
    ]);
    expect(errorsOf({ family: 'resnt' })[0]).toMatch(/got "resnt" \(did you mean "resnet"\?\)/);
    expect(errorsOf({ family: 'resnet' })).toEqual([
      'block: required for family "resnet"',
      'layers: required for family "resnet"',
    ]);
    expect(errorsOf({ family: 'resnet', block: 'basic', layers: '2,2,2,2' })).toEqual([
      'layers: expected an array of 4 positive integers, got "2,2,2,2"',
    ]);
    expect(errorsOf({ family: 'highway', depth: 10, width: 50, gateBias: '-2' })).toEqual([
      'gateBias: expected a finite number, got "-2"',
    ]);
    expect(errorsOf({ family: 'cifar-resnet', n: 3, shortcut: 'C' })[0]).toBe(
      'shortcut: expected one of "A", "B", got "C"',
    );
    expect(errorsOf({ family: 'cifar-resnet', n: 1e9 })).toEqual([
      'n: must be at most 100000, got 1000000000',
    ]);
  });

  it('rejects what the reference implementation rejects or cannot build', () => {
    // torchvision: "BasicBlock only supports groups=1 and base_width=64"
    expect(
      errorsOf({
        family: 'resnet',
        block: 'basic',
        layers: [2, 2, 2, 2],
        groups: 32,
        widthPerGroup: 4,
      }),
    ).toEqual([
      "groups: basic blocks support only groups 1 (as torchvision's BasicBlock), got 32",
      "widthPerGroup: basic blocks support only widthPerGroup 64 (as torchvision's BasicBlock), got 4",
    ]);
    // seven dense blocks need six halvings of a 56×56 map: 28, 14, 7, 3, 1, then nothing
    expect(errorsOf({ family: 'densenet', blockConfig: [1, 1, 1, 1, 1, 1, 1] })[0]).toMatch(
      /^blockConfig: 7 dense blocks need 6 transitions .* 1×1 before transition 6/,
    );
    // counts that double precision cannot hold exactly
    expect(
      errorsOf({
        family: 'resnet',
        block: 'bottleneck',
        layers: [9999, 9999, 9999, 9999],
        groups: 1,
        widthPerGroup: 4096,
      })[0],
    ).toMatch(/^spec: the counts .* exceed 2\^53/);
  });

  it('analyzeArch throws an ArchError with the field path for an invalid spec', () => {
    const bad = { family: 'resnet', block: 'basic', layers: [2, 2, 0, 2] } as unknown as ArchSpec;
    expect(() => analyzeArch(bad)).toThrow(ArchError);
    expect(() => analyzeArch(bad)).toThrow('layers[2]: expected a positive integer, got 0');
    expect(() => analyzeArch(builtin('resnet18'), { imageSize: 0 })).toThrow(/^imageSize:/);
  });
});

describe('builtins', () => {
  it('lists the requested names, each with a description and a citation', () => {
    const expected = [
      ...[18, 34, 50, 101, 152].flatMap((d) => [`resnet${d}`, `resnet${d}-v1`]),
      'resnext50_32x4d',
      'densenet121',
      'densenet169',
      'densenet201',
      ...[20, 32, 44, 56, 110, 1202].map((d) => `cifar-resnet${d}`),
      ...[10, 20, 50, 100].map((d) => `highway-${d}`),
    ];
    expect([...BUILTIN_ARCH_NAMES].sort()).toEqual([...expected].sort());
    expect(Object.keys(BUILTIN_ARCHS).sort()).toEqual([...expected].sort());
    for (const name of expected) {
      expect(BUILTIN_ARCH_INFO[name]!.description.length).toBeGreaterThan(20);
      expect(BUILTIN_ARCH_INFO[name]!.citation).toMatch(/et al\.|Srivastava/);
    }
  });

  it("resnetNN is torchvision's V1.5 (stride in the 3×3), resnetNN-v1 the paper's (stride in the 1×1)", () => {
    expect(builtin('resnet50')).toMatchObject({
      strideIn: '3x3',
      block: 'bottleneck',
      layers: [3, 4, 6, 3],
    });
    expect(builtin('resnet50-v1')).toMatchObject({ strideIn: '1x1' });
    expect(builtin('resnext50_32x4d')).toMatchObject({
      groups: 32,
      widthPerGroup: 4,
      strideIn: '3x3',
    });
    expect(builtin('highway-50')).toMatchObject({
      depth: 50,
      width: 50,
      inputSize: 784,
      numClasses: 10,
    });
  });

  it('archByName: exact, then forgiving of case and separators; undefined otherwise', () => {
    expect(archByName('resnet50')).toBe(builtin('resnet50'));
    expect(archByName('ResNet-50')).toBe(builtin('resnet50'));
    expect(archByName('ResNeXt50-32x4d')).toBe(builtin('resnext50_32x4d'));
    expect(archByName('cifar_resnet_110')).toBe(builtin('cifar-resnet110'));
    expect(archByName('Highway 100')).toBe(builtin('highway-100'));
    expect(archByName('resnet51')).toBeUndefined();
    expect(archByName('toString')).toBeUndefined();
  });

  it('are frozen, so one user cannot change them for another', () => {
    const spec = builtin('resnet50') as ResNetSpec;
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.layers)).toBe(true);
    expect(() => {
      (spec as { numClasses: number }).numClasses = 10;
    }).toThrow(TypeError);
  });
});
