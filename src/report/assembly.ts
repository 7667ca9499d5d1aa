/**
 * Reads the stacks of a cloud assembly directory (`cdk.out`): manifest.json lists the artifacts; stacks are
 * `aws:cloudformation:stack` artifacts with a `templateFile`, and stages are `cdk:cloud-assembly` artifacts whose
 * `directoryName` is a nested assembly, read in turn.
 *
 * @see https://github.com/aws/aws-cdk-cli/blob/main/packages/%40aws-cdk/cloud-assembly-schema/lib/manifest.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { StackTemplate, Template } from './template';

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { templateFile?: string; stackName?: string; directoryName?: string };
}

/** Every stack of the assembly in `dir` and of its nested assemblies, in manifest order. */
export function readAssembly(dir: string): StackTemplate[] {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`${dir} is not a cloud assembly: ${manifestPath} does not exist (run \`cdk synth\` first)`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf-8')) as { artifacts?: Record<string, ManifestArtifact> };
  const stacks: StackTemplate[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const templateFile = artifact.properties.templateFile;
      const template = JSON.parse(fs.readFileSync(path.join(dir, templateFile), 'utf-8')) as Template;
      const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
      const known = (v: string | undefined, fallback: string) => (v === undefined || v.startsWith('unknown-') ? fallback : v);
      stacks.push({
        artifactId,
        stackName: artifact.properties.stackName ?? artifactId,
        displayName: artifact.displayName ?? artifactId,
        account: known(env?.[1], 'unknown-account'),
        region: known(env?.[2], 'unknown-region'),
        templateFile,
        template: { ...template, Resources: template.Resources ?? {} },
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(path.join(dir, artifact.properties.directoryName)));
    }
  }
  return stacks;
}
