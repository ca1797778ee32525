/**
 * A network as an ONNX model (`resnet-lab export --format onnx`, "Download as ONNX" on the
 * page): the engine's own graph (`Model.graph()`), node by node, with the lab's node, tensor and
 * parameter names, batch norm in its evaluation form (the running statistics), and the
 * probabilities the page shows as a second output. The protobuf is written by onnx-proto
 * (protobufjs code generated from onnx.proto), never by hand. Pure: no DOM, no Node API.
 *
 * Covers the dense (mlp) family — every block type; a convolutional network is refused with a
 * message (its maps are NHWC and would need transposes at the edges: not done yet).
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

/** Why a network cannot be exported, or null. */
export function onnxUnsupported(graph: ModelGraph): string | null {
  const conv = graph.nodes.find(
    (n) => n.kind === 'conv' || n.kind === 'pool' || n.kind === 'subsample',
  );
  return conv
    ? `ONNX export covers dense networks; node ${conv.name} is a ${conv.kind} (convolutional networks are not exported yet)`
    : null;
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
  for (const p of graph.parameters) floats(p.name, p.shape, values.get(p.name)!.value);

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

  for (const node of graph.nodes) {
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

  const shapeOf = new Map(graph.tensors.map((t) => [t.name, t.shape] as const));
  const valueInfo = (name: string, dims: readonly number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimParam: BATCH }, ...dims.map((d) => ({ dimValue: d }))] },
        },
      },
    });
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
      input: [valueInfo(graph.input, shapeOf.get(graph.input)!)],
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
