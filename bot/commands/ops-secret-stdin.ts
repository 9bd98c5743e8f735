/** Reads a secret value from standard input for `--secret-stdin` (never from the command line or history). */
export async function readSecretFromStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if ((input as { isTTY?: boolean }).isTTY)
    throw new Error('--secret-stdin reads the value from standard input: pipe it in (e.g. `< token.txt`)');
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  // One trailing line break (from `echo` or a file) is not part of the secret.
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (value.length === 0)
    throw new Error('--secret-stdin: standard input was empty; nothing was stored or decided');
  return value;
}
