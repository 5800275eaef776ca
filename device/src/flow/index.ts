/** The flow engine's solvers: pure functions over arrays, usable alone. */
export { networkSimplex } from './network-simplex.js';
export { costScaling } from './cost-scaling.js';
export { primalDual } from './primal-dual.js';
export { checkCertificate } from './certificate.js';
export { parseDimacs, writeDimacs } from './dimacs.js';
export { clear, clearingProblem, parseObligationsCsv, countCycles, ClearingInputError, type Obligation, type ClearingResult } from './clearing.js';
export { FlowInputError, validateProblem, totalCost, type FlowProblem, type FlowSolution, type FlowStatus } from './problem.js';
