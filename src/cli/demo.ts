export async function runDemo(io: import('./io.js').CliIo, _o: { outDir?: string; full?: boolean }): Promise<void> {
  io.stdout.write('demo: not yet\n');
}
