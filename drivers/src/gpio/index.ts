export * from './definitions.js';
export * from './station.js';
