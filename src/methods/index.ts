import type { MethodName } from '../plan/plan.js';
import { copyMethod } from './copy.js';
import type { LoadMethod } from './method.js';
import { pipelineMethod } from './pipeline.js';
import { rowMethod } from './row.js';
import { valuesMethod } from './values.js';

export const METHODS: Readonly<Record<MethodName, LoadMethod>> = {
  row: rowMethod,
  values: valuesMethod,
  pipeline: pipelineMethod,
  copy: copyMethod,
};
