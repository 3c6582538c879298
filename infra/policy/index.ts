/**
 * The security policy pack (`pulumi preview --policy-pack <built pack>`): every rule of rules.ts,
 * mandatory, per resource and over the whole stack. Constructing the pack starts the policy
 * server, so tests use rules.ts directly.
 */
import { PolicyPack } from '@pulumi/policy';
import { RULES, STACK_RULES } from './rules.js';

new PolicyPack('iterable-pipeline-security', {
  policies: [
    ...RULES.map((rule) => ({
      name: rule.name,
      description: rule.description,
      enforcementLevel: 'mandatory' as const,
      validateResource: (
        args: { type: string; props: Record<string, unknown> },
        reportViolation: (m: string) => void,
      ) => {
        for (const violation of rule.check(args.type, args.props)) reportViolation(violation);
      },
    })),
    ...STACK_RULES.map((rule) => ({
      name: rule.name,
      description: rule.description,
      enforcementLevel: 'mandatory' as const,
      validateStack: (
        args: { resources: readonly { type: string; props: Record<string, unknown> }[] },
        reportViolation: (m: string) => void,
      ) => {
        for (const violation of rule.check(args.resources)) reportViolation(violation);
      },
    })),
  ],
});
