/**
 * The small network behind Residual Block Architecture: one config per block form (and its plain
 * twin), and that network's compiled graph, asked of a worker (the `inspect` job) once per
 * config. The graph comes from the same config the worker trains, so the diagram's nodes and the
 * live statistics share their tensor names.
 */
import type { ModelGraph } from '../../engine/graph.ts';
import {
  defaultTrainConfig,
  errorLine,
  type TrainConfig,
  validateTrainConfig,
} from '../../experiments/config.ts';
import { networkGraphOf } from '../runs/worker.ts';
import { BLOCK_NET_DEPTH, type BlockForm } from './forms.ts';

/** Steps between two measurements of every tensor of the live network. */
export const TENSOR_STATS_EVERY = 5;

/**
 * The network a form's switch trains: 20 weight layers on the spiral, seed 1, the lab's defaults
 * otherwise (batch norm, α = 0 at the start of every residual branch). `shortcut` false gives the
 * plain twin: the same layers without the skip path.
 */
export function blockConfig(form: BlockForm, shortcut: boolean): TrainConfig {
  const checked = validateTrainConfig({
    ...defaultTrainConfig(),
    arch: form,
    shortcut,
    depth: BLOCK_NET_DEPTH,
    width: 16,
    dataset: 'spiral',
    steps: 2000,
    seed: 1,
  });
  if (!checked.ok)
    throw new Error(`block network: ${checked.errors.map((e) => errorLine(e)).join('; ')}`);
  return checked.value;
}

// one graph per config, kept: plain bookkeeping, never read reactively
const graphs = new Map<string, Promise<ModelGraph>>();

/** The compiled graph of a config's network (from a worker; asked once per config). */
export function networkGraph(config: TrainConfig): Promise<ModelGraph> {
  const key = JSON.stringify(config);
  let graph = graphs.get(key);
  if (!graph) {
    graph = networkGraphOf(config);
    graph.catch(() => graphs.delete(key));
    graphs.set(key, graph);
  }
  return graph;
}
