//! `update_config`: the admin replaces the rules and/or the pass metadata.
use super::admin_config::*;
use crate::events::emit_event;
use crate::events::ConfigUpdated;
use crate::state::*;
use anchor_lang::prelude::*;

pub(crate) fn update_config(
    ctx: Context<AdminConfig>,
    rules: Option<Rules>,
    pass_metadata: Option<PassMetadata>,
) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let pass_metadata_changed = pass_metadata.is_some();
    if let Some(rules) = rules {
        config.rules = rules;
    }
    if let Some(meta) = pass_metadata {
        config.pass_metadata = meta;
    }
    config.invariant()?;
    emit_event(
        &ctx.accounts.event_authority,
        ConfigUpdated { admin: config.admin, rules: config.rules.clone(), pass_metadata_changed, ts: now()? },
    )?;
    Ok(())
}
