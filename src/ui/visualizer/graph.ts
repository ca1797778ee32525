/**
 * The graphs the diagrams draw: `Model.graph()` of the very configs the workers train, built by a
 * worker of the pool (the `inspect` job: it builds the model and trains nothing), because the
 * page's own script holds no engine. Cached per config: a diagram redrawn for the same network
 * does not ask again.
 */
import type { ModelGraph } from '../../engine/graph.ts';
import type { TrainConfig } from '../../experiments/config.ts';
import { networkGraphOf } from '../runs/worker.ts';

const cache = new Map<string, Promise<ModelGraph>>();

export function graphOf(config: TrainConfig): Promise<ModelGraph> {
  const key = JSON.stringify(config);
  let graph = cache.get(key);
  if (!graph) {
    graph = networkGraphOf(config);
    // a failed request is not kept: the next redraw asks again
    graph.catch(() => cache.delete(key));
    if (cache.size > 16) cache.clear();
    cache.set(key, graph);
  }
  return graph;
}
