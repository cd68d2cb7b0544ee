/**
 * Compiles the Solidity sources in contracts/ with solc-js into contracts/artifacts/<Name>.json
 * ({ contractName, abi, bytecode, deployedBytecode }). Run with `npm run contracts:compile`; the artifacts are
 * committed so nothing at runtime needs a compiler.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
// solc-js is CommonJS and ships no types.
const solc = require("solc") as {
  compile(input: string, options?: unknown): string;
  version(): string;
};

const contractsDir = dirname(fileURLToPath(import.meta.url));
const artifactsDir = join(contractsDir, "artifacts");

interface SolcOutput {
  errors?: { severity: "error" | "warning" | "info"; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: unknown[];
        evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
      }
    >
  >;
}

/** Resolves `@openzeppelin/...` imports from node_modules. */
function findImports(path: string): { contents: string } | { error: string } {
  try {
    return { contents: readFileSync(require.resolve(path), "utf8") };
  } catch (error) {
    return { error: `cannot resolve ${path}: ${(error as Error).message}` };
  }
}

/** Compiles every contracts/*.sol and writes one artifact per top-level contract. */
export function compileContracts(): string[] {
  const files = readdirSync(contractsDir).filter((file) => file.endsWith(".sol"));
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(
      files.map((file) => [file, { content: readFileSync(join(contractsDir, file), "utf8") }]),
    ),
    settings: {
      // OpenZeppelin 5.x uses mcopy, which needs Cancun.
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
      outputSelection: {
        "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
      },
    },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), { import: findImports }),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((error) => error.severity === "error");
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((error) => error.formattedMessage).join("\n")}`);
  }
  mkdirSync(artifactsDir, { recursive: true });
  const written: string[] = [];
  for (const file of files) {
    for (const [contractName, contract] of Object.entries(output.contracts?.[file] ?? {})) {
      const artifact = {
        contractName,
        abi: contract.abi,
        bytecode: `0x${contract.evm.bytecode.object}`,
        deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
      };
      writeFileSync(
        join(artifactsDir, `${contractName}.json`),
        `${JSON.stringify(artifact, null, 2)}\n`,
      );
      written.push(contractName);
    }
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const written = compileContracts();
  console.log(
    `solc ${solc.version()}: ${written.join(", ")} in ${Math.round(performance.now() - started)} ms`,
  );
}
