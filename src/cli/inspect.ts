/**
 * `resnet-lab inspect`: the network a `train` command line would build, as its graph
 * (engine/graph.ts): every node with its kind, block, output shape and parameters; the totals
 * and the shortcuts. A table, or JSON with --json. Builds the model only: no data, no training.
 */
import { Model } from '../engine/model.ts';
import type { ModelGraph } from '../engine/graph.ts';
import { formatCount } from '../arch/format.ts';
import { shapeText } from '../common/shape.ts';
import type { TrainConfig } from '../experiments/config.ts';
import { datasetShape, modelSpec } from '../experiments/train.ts';
import { fieldOptions, formatSections, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';
import { type CliIO, EXIT, EXIT_CODES_HELP, usageError } from './io.ts';
import { parseSettings, TRAIN_SETTINGS } from './settings.ts';
import { TRAIN_FIELDS } from '../experiments/config.ts';

export const GRAPH_SCHEMA = 'resnet-lab/graph@1';

const OPTIONS: OptionSpec[] = [
  { name: 'json', key: 'json', kind: 'switch', help: 'print the graph as JSON' },
  { name: 'help', key: 'help', kind: 'switch', help: 'show this help (also -h)' },
];

function help(): string {
  return `Usage: resnet-lab inspect [train flags] [--json]

Builds the network that 'resnet-lab train' would train with the same flags and prints its graph:
each node (kind, block, output shape, parameters), the totals and the shortcuts. With --json, the
graph as JSON (schema ${GRAPH_SCHEMA}): nodes (kind, block, inputs, outputs, params, attributes,
fusedInto), tensors (shape), parameters (shape, role), blocks, shortcuts (one per block with a
working skip path), fusions, and params — the run record's parameter count.

${formatSections([
  { title: 'Network settings (as for train)', options: fieldOptions(TRAIN_FIELDS) },
  { title: 'Output', options: OPTIONS },
])}

${EXIT_CODES_HELP}

Examples:
  resnet-lab inspect --arch resnet --depth 20 --width 16
  resnet-lab inspect --arch densenet --depth 8 --json
  resnet-lab inspect --model conv --arch resnet --depth 20 --width 16
`;
}

/** The graph of the model a (valid) training config builds. */
export function graphOf(config: TrainConfig): ModelGraph {
  return new Model(modelSpec(config, datasetShape(config))).graph();
}

export function graphJSON(config: TrainConfig, graph: ModelGraph): string {
  return `${JSON.stringify({ schema: GRAPH_SCHEMA, config, ...graph }, null, 2)}\n`;
}

/** The graph as a table: one line per node (folded nodes marked), then the totals. */
export function graphTable(config: TrainConfig, graph: ModelGraph): string {
  const shapes = new Map(graph.tensors.map((t) => [t.name, t.shape]));
  const sizes = new Map(graph.parameters.map((p) => [p.name, p]));
  const rows = graph.nodes.map((n) => {
    const shape = n.outputs.map((t) => `[${shapeText(shapes.get(t) ?? [])}]`).join(' ');
    const params = n.params.reduce((s, p) => s + (sizes.get(p)?.size ?? 0), 0);
    const block = n.block < 0 ? 'stem' : n.block >= graph.blocks.length ? 'head' : `${n.block + 1}`;
    const what = n.attributes.fn ? `${n.kind} ${n.attributes.fn}` : n.kind;
    const kind = n.fusedInto ? `${what} (in ${n.fusedInto})` : what;
    return [n.name, kind, block, shape, params ? formatCount(params) : ''];
  });
  const header = ['node', 'kind', 'block', 'output', 'params'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const kinds = new Map<string, number>();
  for (const n of graph.nodes) kinds.set(n.kind, (kinds.get(n.kind) ?? 0) + 1);
  const twin = config.arch !== 'plain' && !config.shortcut ? ' (the plain twin)' : '';
  const width =
    config.model === 'conv'
      ? `width ${config.width} (channels ${config.width}, ${2 * config.width}, ${4 * config.width}; maps C×H×W), shortcut option ${config.shortcutOption}`
      : `width ${config.width}`;
  return [
    `${config.model === 'conv' ? 'convolutional ' : ''}${config.arch}${twin}, depth ${config.depth}, ${width}, norm ${config.norm}, ${config.activation}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `nodes: ${graph.nodes.length} (${[...kinds].map(([k, c]) => `${c} ${k}`).join(', ')})`,
    `computed as ${graph.nodes.length - graph.fusions.length} ops (${graph.fusions.length} folded into batch norms)`,
    `blocks: ${graph.blocks.length}; shortcuts: ${graph.shortcuts.length}`,
    `parameters: ${formatCount(graph.params)} in ${graph.parameters.length} tensors`,
    '',
  ].join('\n');
}

async function runInspect(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseSettings(argv, TRAIN_SETTINGS, OPTIONS, 'inspect');
  if (parsed.kind === 'help') {
    io.stdout(help());
    return EXIT.ok;
  }
  if (parsed.problems.length > 0 || !parsed.config)
    return usageError(
      io,
      'resnet-lab inspect',
      parsed.problems,
      "Run 'resnet-lab inspect --help' for the flags and their allowed values.",
    );
  const config = parsed.config;
  const graph = graphOf(config);
  io.stdout(
    parsed.args.values.json === true ? graphJSON(config, graph) : graphTable(config, graph),
  );
  return EXIT.ok;
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'print the graph of the network train would build: nodes, shapes, shortcuts',
  help,
  run: runInspect,
};
