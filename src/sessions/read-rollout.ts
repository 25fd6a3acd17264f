// Kept for import paths: the one reader of every rollout format is rollout-reader.ts.
export { rolloutEvents, type ReadStats } from "./rollout-reader.js";
