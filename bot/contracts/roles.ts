// Two words the bot and the CLI share. A bot's role is what it does on Discord: the active bot
// answers, a standby stays connected and answers nothing until it is activated. An instance's
// kind is how it was deployed: legacy (the starting point, public subnet) or enhanced.
// Pure: no imports, so the release bundles and the CLI can both take it.

export const ROLES = ['active', 'standby'] as const;
export type Role = (typeof ROLES)[number];

export const INSTANCE_KINDS = ['legacy', 'enhanced'] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];

/** The terraform variables a new bot's role depends on (terraform/compute.tf). */
export interface BootRoleInputs {
  /** var.enable_legacy_instance */
  legacyEnabled: boolean;
  /** var.enable_enhanced_instance */
  enhancedEnabled: boolean;
  /** var.serving_role: which kind answers while both run; null reads as legacy. */
  serving: InstanceKind | null;
  /** var.release_version: the release the serving enhanced instance runs. */
  release: string | null;
}

/**
 * The role a newly launched bot takes (its BotRole tag, read by the launcher at boot): the
 * serving instance is active, the one beside it stands by until ydeploy hands over. Terraform
 * computes the same rule in locals legacy_bot_role and enhanced_bot_role;
 * test/integration/terraform-module/boot-role.test.ts checks the two agree.
 */
export function bootRole(kind: InstanceKind, instanceRelease: string | undefined, inputs: BootRoleInputs): Role {
  if (kind === 'legacy') return inputs.enhancedEnabled && inputs.serving === 'enhanced' ? 'standby' : 'active';
  const servesRelease = instanceRelease === inputs.release;
  return servesRelease && (!inputs.legacyEnabled || inputs.serving === 'enhanced') ? 'active' : 'standby';
}
