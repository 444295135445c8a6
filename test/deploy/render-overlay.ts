import { execFileSync } from 'node:child_process';

import { parseAllDocuments } from 'yaml';

import { ensureKubectl } from '../../scripts/fetch-kubectl';
import type { K8sObject } from './kubernetes-checker';

/** The objects an overlay renders to, with the real kustomize (kubectl's, fetched by scripts/fetch-kubectl.ts). */
export function renderOverlay(directory: string): K8sObject[] {
  const text = execFileSync(ensureKubectl(), ['kustomize', directory], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`kustomize printed invalid YAML: ${document.errors[0]!.message}`);
    return document.toJS() as K8sObject;
  });
}
