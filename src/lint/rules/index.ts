// Registry of lint rules, sorted by id.
import type { Rule } from '../rule.js';
import { auditLoggerMissing } from './audit-logger-missing.js';
import { auditLoggerNotLast } from './audit-logger-not-last.js';
import { baseUrlInsecure } from './base-url-insecure.js';
import { chainDuplicateKind } from './chain-duplicate-kind.js';
import { chainEmpty } from './chain-empty.js';
import { chainMissingBlock } from './chain-missing-block.js';
import { chainUnknownKind } from './chain-unknown-kind.js';
import { costModelNoPrice } from './cost-model-no-price.js';
import { fallbackUnknownTarget } from './fallback-unknown-target.js';
import { forwardClientKey } from './forward-client-key.js';
import { kindOptions } from './kind-options.js';
import { literalSecret } from './literal-secret.js';
import { packDisabled } from './pack-disabled.js';
import { piiUnknownEntity } from './pii-unknown-entity.js';
import { policyNotInChain } from './policy-not-in-chain.js';
import { promptInjectionNotFirst } from './prompt-injection-not-first.js';
import { regexCatastrophic } from './regex-catastrophic.js';
import { regexInvalid } from './regex-invalid.js';
import { secretRefName } from './secret-ref-name.js';
import { targetBaseUrlMissing } from './target-base-url-missing.js';
import { targetDuplicateId } from './target-duplicate-id.js';
import { thresholdRange } from './threshold-range.js';
import { unsupportedKind } from './unsupported-kind.js';
import { unsupportedOption } from './unsupported-option.js';
import { unsupportedSection } from './unsupported-section.js';

/** Every lint rule, sorted by id. */
export const RULES: readonly Rule[] = [
  auditLoggerMissing,
  auditLoggerNotLast,
  baseUrlInsecure,
  chainDuplicateKind,
  chainEmpty,
  chainMissingBlock,
  chainUnknownKind,
  costModelNoPrice,
  fallbackUnknownTarget,
  forwardClientKey,
  kindOptions,
  literalSecret,
  packDisabled,
  piiUnknownEntity,
  policyNotInChain,
  promptInjectionNotFirst,
  regexCatastrophic,
  regexInvalid,
  secretRefName,
  targetBaseUrlMissing,
  targetDuplicateId,
  thresholdRange,
  unsupportedKind,
  unsupportedOption,
  unsupportedSection,
];
