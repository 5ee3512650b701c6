/** The versions the generated project depends on: the ones tickwire itself is built and tested with. */
export declare const STARTER_VERSIONS: {
  readonly bitecs: string;
  readonly tsx: string;
  readonly typescript: string;
  readonly vite: string;
  readonly vitest: string;
  readonly '@types/node': string;
};
/** The `--help` text. */
export declare const USAGE: string;
/** Parse the command line and write the project; returns the exit code (0 done, 2 usage error). */
export declare function main(args: readonly string[], cwd: string): number;
/** What package.json gets for `tickwire`: `file:<absolute path>` for a tarball, else the version or range as given. */
export declare function dependencySpec(spec: string | undefined, cwd: string): string;
/** Write the game into `target` (absent or empty); returns the files written, relative to it. */
export declare function createGame(target: string, options: { readonly tickwire: string; readonly name: string }): string[];
