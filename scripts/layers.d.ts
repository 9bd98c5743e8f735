import type { Linter } from 'eslint';

export declare const LAYERS: readonly string[];
export declare const ADAPTER_FOLDERS: readonly string[];
export declare const SDK_PATTERNS: readonly string[];
export declare const SURFACE_FOLDERS: readonly string[];
export declare function sdkSpecifierRegex(): string;
export declare function forbiddenFor(folder: string): string[];
export declare function layerRules(): Linter.Config[];
