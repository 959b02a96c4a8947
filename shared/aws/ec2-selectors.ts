// Karpenter selector terms as EC2 Describe filters. Within a term every field must match (EC2
// ANDs filters); across terms any may match, so each term is one Describe call and the results
// are united. Filters are used even for ids, because an id filter that matches nothing returns
// an empty list where the `SubnetIds`/`GroupIds` parameters would throw NotFound.

import type { DescribeImagesCommandInput, Filter } from '@aws-sdk/client-ec2';
import type { SelectorTerm } from '../types.ts';

export type SelectorTarget = 'subnet' | 'security-group';

const ID_FILTER: Record<SelectorTarget, string> = { subnet: 'subnet-id', 'security-group': 'group-id' };

/**
 * The filters of one term, or undefined when the term selects nothing on this target. A term
 * without any field is never sent: with no filters EC2 would return every subnet or group of
 * the account. Subnets have no name of their own, so a term naming one selects nothing (as in
 * the simulator).
 */
export function selectorFilters(term: SelectorTerm, target: SelectorTarget): Filter[] | undefined {
  const filters: Filter[] = [];
  if (term.id !== undefined) filters.push({ Name: ID_FILTER[target], Values: [term.id] });
  if (term.name !== undefined) {
    if (target === 'subnet') return undefined;
    filters.push({ Name: 'group-name', Values: [term.name] });
  }
  filters.push(...tagFilters(term.tags));
  return filters.length > 0 ? filters : undefined;
}

/** A term's tags as filters; Karpenter's wildcard `*`: the tag must exist, whatever its value. */
function tagFilters(tags: Record<string, string> | undefined): Filter[] {
  return Object.entries(tags ?? {}).map(([key, value]) => (value === '*' ? { Name: 'tag-key', Values: [key] } : { Name: `tag:${key}`, Values: [value] }));
}

/** Owners Karpenter looks at for an AMI term naming an image without naming its owner. */
const DEFAULT_IMAGE_OWNERS = ['self', 'amazon'];

/**
 * One amiSelectorTerm as a DescribeImages query, or undefined when the term gives no id, name or
 * tag (an alias is resolved from SSM instead; an owner alone would list every image it has):
 * available images only; the owner, else self and Amazon when the term names an image.
 */
export function imageQuery(term: SelectorTerm): Pick<DescribeImagesCommandInput, 'Filters' | 'Owners'> | undefined {
  const filters: Filter[] = [];
  if (term.id !== undefined) filters.push({ Name: 'image-id', Values: [term.id] });
  if (term.name !== undefined) filters.push({ Name: 'name', Values: [term.name] });
  filters.push(...tagFilters(term.tags));
  if (filters.length === 0) return undefined;
  filters.push({ Name: 'state', Values: ['available'] });
  const owners = term.owner !== undefined ? [term.owner] : term.name !== undefined ? DEFAULT_IMAGE_OWNERS : undefined;
  return { Filters: filters, ...(owners ? { Owners: owners } : {}) };
}

/** EC2's architecture as the Kubernetes arch label spells it: x86_64 is amd64; others unchanged. */
export const kubernetesArch = (ec2Architecture: string | undefined): string => (ec2Architecture === 'x86_64' ? 'amd64' : ec2Architecture ?? '');
