#!/usr/bin/env node
// Prints folder-to-folder import counts between the top-level source folders, and fails when two
// folders import each other both ways. Reads every .ts/.tsx file's import specifiers with TypeScript's
// own pre-processor (no type checking), so it sees exactly what the compiler sees.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { LAYERS, forbiddenFor } from './layers.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const folders = [...LAYERS.slice(0, -2), 'storage', ...LAYERS.slice(-2)];
const detail = process.argv.includes('--files');

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const counts = new Map();
const files = new Map();
for (const folder of folders) {
  let dir;
  try {
    dir = join(root, folder);
    statSync(dir);
  } catch {
    continue;
  }
  for (const file of sources(dir)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), ref.fileName)).split(sep)[0];
      if (!target || target === folder || !folders.includes(target)) continue;
      const key = `${folder} -> ${target}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!files.has(key)) files.set(key, []);
      files.get(key).push(`${relative(root, file)} -> ${ref.fileName}`);
    }
  }
}

const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
const width = Math.max(...rows.map(([key]) => key.length), 10);
process.stdout.write(
  `layers, highest first: ${LAYERS.join(' → ')} (storage/: adapters, wired by bot/main.ts)\n\n`,
);
const upward = [];
for (const [key, count] of rows) {
  const [from, to] = key.split(' -> ');
  const wrong = forbiddenFor(from).includes(to);
  if (wrong) upward.push(key);
  process.stdout.write(
    `${key.padEnd(width)}  ${String(count).padStart(4)}${wrong ? '  ← not allowed' : ''}\n`,
  );
  if (detail) for (const line of files.get(key)) process.stdout.write(`    ${line}\n`);
}
const cycles = rows
  .map(([key]) => key.split(' -> '))
  .filter(([from, to]) => from < to && counts.has(`${to} -> ${from}`))
  .map(([from, to]) => `${from} <-> ${to}`);
if (cycles.length > 0) {
  process.stdout.write(`\nfolders importing each other both ways: ${cycles.join(', ')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('\nno pair of folders imports each other both ways\n');
}
if (upward.length > 0) {
  process.stdout.write(`imports against the layer order: ${upward.join(', ')}\n`);
  process.exitCode = 1;
}
