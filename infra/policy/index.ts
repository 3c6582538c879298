/**
 * The security policy pack (`pulumi preview --policy-pack <built pack>`): every rule of rules.ts,
 * mandatory. Constructing the pack starts the policy server, so tests use rules.ts directly.
 */
import { PolicyPack } from '@pulumi/policy';
import { RULES } from './rules.js';

new PolicyPack('iterable-pipeline-security', {
  policies: RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: 'mandatory',
    validateResource: (args, reportViolation) => {
      for (const violation of rule.check(args.type, args.props)) reportViolation(violation);
    },
  })),
});
