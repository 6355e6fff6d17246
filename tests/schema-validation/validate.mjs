// Validates what okite exports against independent validators:
//  - every sample facility and the Hachioji test fixture against `okite schema` (JSON Schema
//    2020-12, validated by ajv);
//  - `okite eval --format sarif` over the sample facilities against the official SARIF 2.1.0
//    schema (as shipped in @microsoft/jest-sarif).
// Usage: node validate.mjs [path/to/okite]   (default: target/debug/okite)

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const okite = resolve(process.argv[2] ?? process.env.OKITE ?? join(root, "target", "debug", "okite"));
const require = createRequire(import.meta.url);

function run(args, allowed = [0]) {
  try {
    return execFileSync(okite, args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (allowed.includes(e.status)) return e.stdout;
    throw new Error(`okite ${args.join(" ")} exited ${e.status}: ${e.stderr}`);
  }
}

let failures = 0;
function report(what, validate, data) {
  if (validate(data)) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
    for (const e of validate.errors.slice(0, 10)) console.log(`     ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  }
}

// 1. Snapshots against the exported JSON Schema.
const factsSchema = JSON.parse(run(["schema"]));
const ajv2020 = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv2020);
const validateFacts = ajv2020.compile(factsSchema);
const snapshots = [];
const examples = join(root, "examples");
for (const f of readdirSync(examples).filter((f) => f.endsWith(".json")).sort()) snapshots.push(join("examples", f));
snapshots.push(join("policies", "hachioji", "fixtures", "compliant.json"));
for (const s of snapshots) report(`${s} fits \`okite schema\``, validateFacts, JSON.parse(readFileSync(join(root, s), "utf8")));
// The schema must also reject what the runtime rejects.
const broken = JSON.parse(readFileSync(join(root, "policies", "hachioji", "fixtures", "compliant.json"), "utf8"));
broken.unexpected_field = true;
if (validateFacts(broken)) {
  failures++;
  console.log("FAIL the schema accepts an unknown top-level field");
} else {
  console.log("ok   the schema rejects an unknown top-level field");
}

// 2. SARIF against the official schema.
const sarifSchemaPath = join(dirname(require.resolve("@microsoft/jest-sarif/package.json")), "lib", "schemas", "sarif-2.1.0-rtm.5.json");
const sarifSchema = JSON.parse(readFileSync(sarifSchemaPath, "utf8"));
// Ajv speaks draft-07; the SARIF schema still names itself with draft-04's `id`.
delete sarifSchema.$schema;
if (sarifSchema.id) {
  sarifSchema.$id = sarifSchema.id;
  delete sarifSchema.id;
}
const ajv7 = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }); // one SARIF pattern is not valid in Unicode mode
addFormats(ajv7);
const validateSarif = ajv7.compile(sarifSchema);
const exampleFiles = snapshots.filter((s) => s.startsWith("examples"));
if (!exampleFiles.length) exampleFiles.push(join("policies", "hachioji", "fixtures", "compliant.json"));
const sarif = JSON.parse(run(["eval", "--format", "sarif", "--explain", ...exampleFiles], [0, 1]));
report(`SARIF of ${exampleFiles.length} sample facilities fits SARIF 2.1.0`, validateSarif, sarif);
if (exampleFiles.length > 1 && !sarif.runs[0].results.length) {
  failures++;
  console.log("FAIL the SARIF log has no results; the samples have findings");
}
const waivers = join(examples, "library.waivers.yaml");
if (existsSync(waivers)) {
  const waived = JSON.parse(run(["eval", "--format", "sarif", "--waivers", waivers, ...exampleFiles], [0, 1]));
  report("SARIF with waivers (suppressions) fits SARIF 2.1.0", validateSarif, waived);
}

if (failures) {
  console.log(`\n${failures} validation(s) failed`);
  process.exit(1);
}
console.log("\nall validations passed");
