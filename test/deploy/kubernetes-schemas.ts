import { dirname, join } from 'node:path';

import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import * as ts from 'typescript';

import type { K8sObject } from './kubernetes-checker';

/**
 * The Kubernetes API groups the manifests may use, with the models of kubernetes-models (the OpenAPI schemas of
 * the Kubernetes API, compiled to validators) and of @kubernetes-models/prometheus-operator (the operator's CRD
 * schemas). Each entry also names the module of the model's TypeScript interface, for the unknown-field check.
 */
const GROUPS = [
  { module: 'kubernetes-models/v1', models: coreV1 },
  { module: 'kubernetes-models/apps/v1', models: appsV1 },
  { module: 'kubernetes-models/batch/v1', models: batchV1 },
  { module: 'kubernetes-models/policy/v1', models: policyV1 },
  { module: 'kubernetes-models/networking.k8s.io/v1', models: networkingV1 },
  { module: 'kubernetes-models/autoscaling/v2', models: autoscalingV2 },
  { module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', models: monitoringV1 },
];

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

function modelOf(object: K8sObject): { model: ModelClass; module: string } | undefined {
  for (const group of GROUPS) {
    for (const candidate of Object.values(group.models) as unknown[]) {
      const model = candidate as ModelClass;
      if (typeof model === 'function' && model.apiVersion === object.apiVersion && model.kind === object.kind) {
        return { model, module: `${group.module}/${model.kind}` };
      }
    }
  }
  return undefined;
}

const label = (object: K8sObject) => `${object.kind} ${object.metadata?.name}`;

/** Every object checked against its API schema: types, required fields, enums, formats. */
export function schemaProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const found = modelOf(object);
    if (!found) {
      problems.push(`${label(object)}: no schema is known for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new found.model(object).validate();
    } catch (error) {
      problems.push(`${label(object)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

/**
 * The API server refuses a field it does not know (kubectl's default --validate=strict), but the schemas above
 * allow extra properties. The same models' TypeScript interfaces do not: each object is type-checked as an
 * object literal of its interface, where an unknown property, at any depth, is an error.
 */
export function unknownFieldProblems(objects: readonly K8sObject[]): string[] {
  const typed = objects.map((object) => ({ object, found: modelOf(object) })).filter((entry) => entry.found);
  const lines = typed.map(({ found }, i) => `import type { I${found!.model.kind} as T${i} } from '${found!.module}';`);
  typed.forEach(({ object }, i) => lines.push(`export const o${i}: T${i} = ${JSON.stringify(object)};`));
  const fileName = join(__dirname, '__rendered-manifests__.ts');
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    baseUrl: dirname(fileName),
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (
    (fileExists) => (name: string) =>
      name === fileName || fileExists(name)
  )(host.fileExists.bind(host));
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, languageVersion, true) : getSourceFile(name, languageVersion, ...rest);
  const program = ts.createProgram([fileName], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName === fileName || !diagnostic.file)
    .map((diagnostic) => {
      const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
      const where = line >= typed.length ? label(typed[line - typed.length]!.object) : 'manifests';
      return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    });
}
