import { describe } from 'vitest';
import { costScaling } from './cost-scaling.js';
import { solverProperties } from './solver-properties.js';

describe('cost scaling', () => {
  solverProperties(costScaling);
});
