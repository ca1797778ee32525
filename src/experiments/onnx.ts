/**
 * A network as an ONNX model (`resnet-lab export --format onnx`, "Download as ONNX" on the
 * page): the engine's own graph (`Model.graph()`), node by node, with the lab's node, tensor and
 * parameter names, batch norm in its evaluation form (the running statistics), and the
 * probabilities the page shows as a second output. The protobuf is written by onnx-proto
 * (protobufjs code generated from onnx.proto), never by hand. Pure: no DOM, no Node API.
 *
 * Covers the dense (mlp) family — every block type — and the convolutional family (He et al.'s
 * CIFAR networks): the lab's maps are NHWC, ONNX's NCHW, so the input is transposed once at the
 * start, every map tensor holds NCHW (its value info says [batch, C, H, W]) and convolution
 * weights [kh, kw, cin/g, cout/g] are written as ONNX's [cout, cin/g, kh, kw].
 */
import onnxProto from 'onnx-proto';
import type { GraphNode, ModelGraph } from '../engine/graph.ts';
import { BN_EPS } from '../engine/kernels.ts';
import type { Model } from '../engine/model.ts';
import { BatchNorm } from '../engine/ops.ts';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;

/** ONNX IR version 8 with the default-domain operator set 15 (ONNX 1.10, onnx-proto's). */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 15;
/** the name of the batch dimension (any number of rows) */
const BATCH = 'batch';
/** the second output: class probabilities, as the page's predictions */
export const PROBABILITIES = 'probabilities';

/** What the exported file says about where it came from (its metadata). */
export interface OnnxProvenance {
  /** the lab's command that builds (and trains) the same network */
  command: string;
  /** the training config, as JSON */
  config: unknown;
  /** training steps the weights had (0: the initial weights) */
  steps: number;
}

/** Why a network cannot be exported, or null: a per-feature scale on a map (no builder makes one). */
export function onnxUnsupported(graph: ModelGraph): string | null {
  const shapes = new Map(graph.tensors.map((t) => [t.name, t.shape] as const));
  const bad = graph.nodes.find(
    (n) => n.kind === 'scale' && (shapes.get(n.inputs[0]!)?.length ?? 1) > 1,
  );
  return bad ? `node ${bad.name}: a per-feature scale on a map has no ONNX form here` : null;
}

/** [kh, kw, cin/g, cout/g] (or [g, kh, kw, cin/g, cout/g]) → ONNX's [cout, cin/g, kh, kw]. */
function convWeightOIHW(
  value: Float32Array,
  shape: readonly number[],
): { dims: number[]; data: Float32Array } {
  const [g, kh, kw, ci, co] = (shape.length === 5 ? shape : [1, ...shape]) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const out = new Float32Array(value.length);
  for (let group = 0; group < g; group++)
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        for (let i = 0; i < ci; i++)
          for (let o = 0; o < co; o++) {
            const from = (((group * kh + a) * kw + b) * ci + i) * co + o;
            const to = (((group * co + o) * ci + i) * kh + a) * kw + b;
            out[to] = value[from]!;
          }
  return { dims: [g * co, ci, kh, kw], data: out };
}

/**
 * The model as ONNX bytes. Inputs: `input` [batch, inputDim]; outputs: the logits (the graph's
 * output tensor, e.g. `head.out`) and `probabilities` [batch, classes].
 * @throws Error for a network it cannot export (onnxUnsupported)
 */
export function toOnnx(model: Model, provenance: OnnxProvenance): Uint8Array {
  const graph = model.graph();
  const unsupported = onnxUnsupported(graph);
  if (unsupported) throw new Error(unsupported);
  const values = new Map(model.params.map((p) => [p.name, p] as const));
  const norms = new Map<string, BatchNorm>();
  for (const op of model.nodes) if (op instanceof BatchNorm) norms.set(op.name, op);
  const blockName = new Map<number, string>(graph.blocks.map((b) => [b.index, b.name]));
  blockName.set(-1, 'stem');
  blockName.set(model.blocks, 'head');

  const initializers: TensorProto[] = [];
  const floats = (name: string, dims: readonly number[], data: Float32Array) =>
    initializers.push(floatTensor(name, dims, data));
  const longs = (name: string, data: number[]) =>
    initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [data.length],
        dataType: onnx.TensorProto.DataType.INT64,
        int64Data: data,
      }),
    );
  const convWeights = new Set(
    graph.nodes.filter((n) => n.kind === 'conv').map((n) => n.params[0]!),
  );
  for (const p of graph.parameters) {
    const value = values.get(p.name)!.value;
    if (convWeights.has(p.name)) {
      const { dims, data } = convWeightOIHW(value, p.shape);
      floats(p.name, dims, data);
    } else floats(p.name, p.shape, value);
  }
  const shapeOf = new Map(graph.tensors.map((t) => [t.name, t.shape] as const));

  const nodes: NodeProto[] = [];
  const emit = (
    node: GraphNode,
    opType: string,
    input: string[],
    output: string[],
    name = node.name,
    attribute: InstanceType<typeof onnx.AttributeProto>[] = [],
  ) =>
    nodes.push(
      onnx.NodeProto.create({
        name,
        opType,
        input,
        output,
        attribute,
        docString: `${blockName.get(node.block) ?? ''} · resnet-lab ${node.kind} node ${node.name}`,
      }),
    );

  /** where a lab tensor is read from in the ONNX graph (the input map: its NCHW transpose) */
  const source = new Map<string, string>();
  const input = graph.input;
  const inputShape = shapeOf.get(input)!;
  if (inputShape.length === 3) {
    const [h, w, c] = inputShape as [number, number, number];
    const first = graph.nodes[0]!;
    longs('input/nhwc-shape', [-1, h, w, c]);
    emit(first, 'Reshape', [input, 'input/nhwc-shape'], ['input/nhwc'], 'input/reshape');
    emit(first, 'Transpose', ['input/nhwc'], ['input/nchw'], 'input/to-nchw', [
      ints('perm', [0, 3, 1, 2]),
    ]);
    source.set(input, 'input/nchw');
  }
  for (const labNode of graph.nodes) {
    const node: GraphNode = { ...labNode, inputs: labNode.inputs.map((t) => source.get(t) ?? t) };
    const [x] = node.inputs;
    const [y] = node.outputs;
    if (x === undefined || y === undefined) throw new Error(`node ${node.name} has no tensors`);
    switch (node.kind) {
      case 'dense': {
        const [w, b] = node.params;
        const groups = node.attributes.groups ?? 1;
        if (groups === 1) {
          emit(node, 'Gemm', b ? [x, w!, b] : [x, w!], [y]);
          break;
        }
        // ResNeXt's grouped layer: [n, G·in/G] → [G, n, in/G] · W[G, in/G, out/G] → [n, out]
        const [, gin, gout] = graph.parameters.find((p) => p.name === w)!.shape as number[];
        const at = (part: string) => `${node.name}/${part}`;
        longs(at('split'), [-1, groups, gin!]);
        longs(at('join'), [-1, groups * gout!]);
        emit(node, 'Reshape', [x, at('split')], [at('rows')], at('reshape'));
        emit(node, 'Transpose', [at('rows')], [at('groups')], at('transpose'), [
          ints('perm', [1, 0, 2]),
        ]);
        emit(node, 'MatMul', [at('groups'), w!], [at('products')], at('matmul'));
        emit(node, 'Transpose', [at('products')], [at('back')], at('transpose-back'), [
          ints('perm', [1, 0, 2]),
        ]);
        // the last ONNX node of the layer carries the layer's own name
        emit(
          node,
          'Reshape',
          [at('back'), at('join')],
          b ? [at('sum')] : [y],
          b ? at('reshape-back') : node.name,
        );
        if (b) emit(node, 'Add', [at('sum'), b], [y], node.name);
        break;
      }
      case 'activation': {
        const fn = node.attributes.fn;
        const op =
          fn === 'relu'
            ? 'Relu'
            : fn === 'tanh'
              ? 'Tanh'
              : fn === 'sigmoid'
                ? 'Sigmoid'
                : 'Identity';
        emit(node, op, [x], [y]);
        break;
      }
      case 'batchnorm': {
        const norm = norms.get(node.name)!;
        const [gamma, beta] = node.params;
        floats(`${node.name}.running_mean`, [norm.features], norm.runningMean);
        floats(`${node.name}.running_var`, [norm.features], norm.runningVar);
        emit(
          node,
          'BatchNormalization',
          [x, gamma!, beta!, `${node.name}.running_mean`, `${node.name}.running_var`],
          [y],
          node.name,
          [floatAttr('epsilon', BN_EPS), floatAttr('momentum', 0.9)],
        );
        break;
      }
      case 'scale':
        emit(node, 'Mul', [x, node.params[0]!], [y]);
        break;
      case 'add':
        emit(node, 'Add', [node.inputs[0]!, node.inputs[1]!], [y]);
        break;
      case 'concat': {
        // the plain twin's cut skip paths enter as zeros of the same shape
        const cut = node.attributes.cut ?? [];
        const inputs = node.inputs.map((t, k) => {
          if (!cut[k]) return t;
          const zeros = `${node.name}/zeros${k}`;
          emit(node, 'Shape', [t], [`${zeros}/shape`], `${zeros}/shape`);
          emit(node, 'ConstantOfShape', [`${zeros}/shape`], [zeros], zeros);
          return zeros;
        });
        emit(node, 'Concat', inputs, [y], node.name, [intAttr('axis', 1)]);
        break;
      }
      case 'highway': {
        // y = H·T + x·(1 − T); without the carry (the plain twin) y = H·T
        const [h, t, carried] = node.inputs as [string, string, string];
        const at = (part: string) => `${node.name}/${part}`;
        if (!node.attributes.carry) {
          emit(node, 'Mul', [h, t], [y]);
          break;
        }
        floats(at('one'), [], new Float32Array([1]));
        emit(node, 'Mul', [h, t], [at('transform')], at('transform'));
        emit(node, 'Sub', [at('one'), t], [at('carry-gate')], at('carry-gate'));
        emit(node, 'Mul', [carried, at('carry-gate')], [at('carry')], at('carry'));
        emit(node, 'Add', [at('transform'), at('carry')], [y], node.name);
        break;
      }
      case 'conv': {
        const { kernel = 1, stride = 1, padding = 0, groups = 1 } = node.attributes;
        const [w, b] = node.params;
        emit(node, 'Conv', b ? [x, w!, b] : [x, w!], [y], node.name, [
          ints('kernel_shape', [kernel, kernel]),
          ints('strides', [stride, stride]),
          ints('pads', [padding, padding, padding, padding]),
          intAttr('group', groups),
        ]);
        break;
      }
      case 'subsample': {
        // option A: every stride-th pixel, its channels in the middle of the new ones, zeros around
        const [h, wd, c] = shapeOf.get(labNode.inputs[0]!) as [number, number, number];
        const cOut = shapeOf.get(y)![2]!;
        const c0 = Math.floor((cOut - c) / 2);
        const stride = node.attributes.stride ?? 1;
        const at = (part: string) => `${node.name}/${part}`;
        longs(at('starts'), [0, 0]);
        longs(at('ends'), [h, wd]);
        longs(at('axes'), [2, 3]);
        longs(at('steps'), [stride, stride]);
        longs(at('pads'), [0, c0, 0, 0, 0, cOut - c - c0, 0, 0]);
        emit(
          node,
          'Slice',
          [x, at('starts'), at('ends'), at('axes'), at('steps')],
          [at('pixels')],
          at('slice'),
        );
        emit(node, 'Pad', [at('pixels'), at('pads')], [y], node.name);
        break;
      }
      case 'pool': {
        emit(node, 'GlobalAveragePool', [x], [`${node.name}/map`], `${node.name}/average`);
        emit(node, 'Flatten', [`${node.name}/map`], [y], node.name, [intAttr('axis', 1)]);
        break;
      }
      default:
        throw new Error(`node ${node.name}: no ONNX form for a ${node.kind} node`);
    }
  }

  // The probabilities the page draws: softmax, or the sigmoid (with 1 − p for a one-output head).
  const logits = graph.output;
  const classes = model.classes;
  const head = graph.nodes.at(-1)!;
  if (model.spec.loss === 'softmax')
    emit(head, 'Softmax', [logits], [PROBABILITIES], 'probabilities', [intAttr('axis', 1)]);
  else if (model.logits.dim === 1) {
    floats('probabilities/one', [], new Float32Array([1]));
    emit(head, 'Sigmoid', [logits], ['probabilities/p'], 'probabilities/sigmoid');
    emit(
      head,
      'Sub',
      ['probabilities/one', 'probabilities/p'],
      ['probabilities/q'],
      'probabilities/complement',
    );
    emit(head, 'Concat', ['probabilities/q', 'probabilities/p'], [PROBABILITIES], 'probabilities', [
      intAttr('axis', 1),
    ]);
  } else emit(head, 'Sigmoid', [logits], [PROBABILITIES], 'probabilities');

  const valueInfo = (name: string, labDims: readonly number[]) => {
    const dims = labDims.length === 3 ? [labDims[2]!, labDims[0]!, labDims[1]!] : labDims;
    return onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimParam: BATCH }, ...dims.map((d) => ({ dimValue: d }))] },
        },
      },
    });
  };
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const internal = graph.tensors
    .map((t) => t.name)
    .filter((name) => produced.has(name) && name !== logits);

  const modelProto = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'resnet-lab',
    producerVersion: '1',
    docString: `${provenance.command}\n(${provenance.steps === 0 ? 'the initial weights' : `weights after ${provenance.steps} training steps`}; batch norm in evaluation form)`,
    metadataProps: [
      { key: 'resnet-lab.command', value: provenance.command },
      { key: 'resnet-lab.steps', value: String(provenance.steps) },
      { key: 'resnet-lab.config', value: JSON.stringify(provenance.config) },
      {
        key: 'resnet-lab.blocks',
        value: JSON.stringify(
          graph.blocks.map((b) => ({ name: b.name, shortcut: b.shortcut, nodes: b.nodes })),
        ),
      },
    ],
    graph: {
      name: provenance.command,
      node: nodes,
      initializer: initializers,
      input: [valueInfo(graph.input, [model.input.dim])],
      output: [valueInfo(logits, shapeOf.get(logits)!), valueInfo(PROBABILITIES, [classes])],
      valueInfo: internal.map((name) => valueInfo(name, shapeOf.get(name)!)),
    },
  });
  return onnx.ModelProto.encode(modelProto).finish();
}

/** A float32 initializer; its numbers as raw little-endian bytes (the format's own layout). */
function floatTensor(name: string, dims: readonly number[], data: Float32Array): TensorProto {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: bytes,
  });
}

function floatAttr(name: string, f: number) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
}
function intAttr(name: string, i: number) {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
}
function ints(name: string, values: number[]) {
  return onnx.AttributeProto.create({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: values,
  });
}
