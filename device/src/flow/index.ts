/** The flow engine's solvers: pure functions over arrays, usable alone. */
export { networkSimplex } from './network-simplex.js';
// costScaling is not exported: it is not offered (7–71× slower than LEMON's); tests keep it as a third check.
export { primalDual } from './primal-dual.js';
export { checkCertificate } from './certificate.js';
export { parseDimacs, writeDimacs } from './dimacs.js';
export { clear, clearingProblem, parseObligationsCsv, countCycles, ClearingInputError, type Obligation, type ClearingResult } from './clearing.js';
export { FlowInputError, validateProblem, totalCost, type FlowProblem, type FlowSolution, type FlowStatus } from './problem.js';
