/**
 * The `inspect` job: the compiled graph of the network a training config builds (Model.graph()),
 * as one event. It builds the model and trains nothing. A job so that the page asks a worker of
 * its pool for a graph, and its own script never holds the engine (`resnet-lab inspect` prints
 * the same graph).
 */
import type { ModelGraph } from '../engine/graph.ts';
import { Model } from '../engine/model.ts';
import type { TrainConfig } from './config.ts';
import { type Job, JobControl } from './job.ts';
import { datasetShape, modelSpec } from './train.ts';

export type InspectEvent = { type: 'graph'; graph: ModelGraph };

const NONE: readonly InspectEvent[] = Object.freeze([]);

export class InspectJob extends JobControl implements Job<InspectEvent> {
  readonly kind = 'inspect';
  private finished = false;

  constructor(private readonly config: TrainConfig) {
    super();
  }

  get done(): boolean {
    return this.finished;
  }
  get progress(): number {
    return this.finished ? 1 : 0;
  }
  get total(): number {
    return 1;
  }

  advance(): readonly InspectEvent[] {
    if (this.finished) return NONE;
    this.finished = true;
    this.wakeUp();
    if (this.cancelled) return NONE;
    const graph = new Model(modelSpec(this.config, datasetShape(this.config))).graph();
    return [{ type: 'graph', graph }];
  }
}
