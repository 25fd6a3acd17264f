// Types of eslint/zones.js for the lint test (the config itself is plain JavaScript, as ESLint loads it).
import type { ESLint } from "eslint";
export declare const ZONES: Record<string, string[]>;
export declare function zonesPlugin(srcDir: string): ESLint.Plugin;
