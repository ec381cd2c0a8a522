// Offline schema validation of the Kubernetes manifests: every document of every resource listed in
// kustomization.yaml is validated against the Kubernetes API's JSON schemas as shipped in the npm
// package kubernetes-models (no cluster, no network). Fails on a schema error, an unknown kind, or a
// manifest file that the kustomization leaves out.
//   node validate.mjs [DIR]        DIR defaults to .. (deploy/kubernetes)
// Prints one "ok" line per document; exit status 1 with the errors otherwise.
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, parse } from "yaml";

const dir = resolve(process.argv[2] ?? "..");
const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
const resources = kustomization.resources ?? [];
const errors = [];

// apiVersion "apps/v1" -> module "kubernetes-models/apps/v1/<Kind>"; the core group "v1" -> "kubernetes-models/v1/<Kind>".
async function modelClass(apiVersion, kind) {
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind];
  } catch (e) {
    return undefined;
  }
}

const listed = new Set(resources);
for (const file of readdirSync(dir)) {
  if (/\.ya?ml$/.test(file) && file !== "kustomization.yaml" && !listed.has(file)) {
    errors.push(`${file}: not listed in kustomization.yaml's resources`);
  }
}

for (const file of resources) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8"));
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      errors.push(`${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const manifest = doc.toJS();
    if (manifest === null) {
      continue;
    }
    const where = `${file}: ${manifest.kind}/${manifest.metadata?.name}`;
    const Model = await modelClass(manifest.apiVersion, manifest.kind);
    if (!Model) {
      errors.push(`${where}: unknown apiVersion/kind ${manifest.apiVersion} ${manifest.kind}`);
      continue;
    }
    try {
      new Model(manifest).validate();
      console.log(`ok ${where} (${manifest.apiVersion})`);
    } catch (e) {
      const details = (e.errors ?? []).map((d) => `${d.instancePath || "/"} ${d.message}${d.params ? " " + JSON.stringify(d.params) : ""}`);
      errors.push(`${where}: ${e.message}${details.length ? "\n    " + details.join("\n    ") : ""}`);
    }
  }
}

if (errors.length > 0) {
  console.error(errors.join("\n"));
  process.exit(1);
}
console.log(`${resources.length} files valid`);
