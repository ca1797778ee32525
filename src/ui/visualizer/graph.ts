/**
 * The graphs the diagrams draw: `Model.graph()` of the very configs the workers train. The
 * worker's API does not send graphs, so the page builds each model once here — building is not
 * training (no step runs, nothing is learned); it lays out the same ops, tensors and shortcuts
 * with the same seed. TypeScript kernels and a batch of two keep that small.
 */
import type { TrainConfig } from '../../experiments/config.ts';
import { Model } from '../../engine/model.ts';
import type { ModelGraph } from '../../engine/graph.ts';
import { datasetShape, modelSpec } from '../../experiments/train.ts';

const cache = new Map<string, ModelGraph>();

export function graphOf(config: TrainConfig): ModelGraph {
  const spec = { ...modelSpec(config, datasetShape(config)), kernels: 'ts' as const, maxBatch: 2 };
  const key = JSON.stringify(spec);
  let graph = cache.get(key);
  if (!graph) {
    graph = new Model(spec).graph();
    if (cache.size > 16) cache.clear();
    cache.set(key, graph);
  }
  return graph;
}
