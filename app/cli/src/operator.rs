//! The operator's deployment file: the rules and the pass metadata (and, for
//! `init`, the crank and oracle keys), in TOML or JSON. Amounts are decimal
//! USDT strings; everything else carries its unit in its name. Unknown keys
//! are refused, so a typo never silently falls back to a default.
use anyhow::{bail, Context, Result};
use pictor_vip_sdk::ix::InitializeArgs;
use pictor_vip_sdk::state::{GpuTier, PassMetadata, RoundCadence, Rules, ScoringParams};
use pictor_vip_sdk::units::{format_usdt_plain, parse_usdt};
use pictor_vip_sdk::Pubkey;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::str::FromStr;

/// A deployment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentFile {
    /// Crank key (base58); `init` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crank: Option<String>,
    /// Oracle keys (base58); `init` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oracles: Vec<String>,
    /// Eligibility and scoring rules.
    pub rules: RulesFile,
    /// Name, symbol and URIs of the pass.
    pub pass_metadata: PassMetadataFile,
}

/// The rules, with their units in their names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    /// Creator threshold: lifetime spending, USDT (decimal string, ≤ 6 decimals).
    pub creator_min_spent_usdt: String,
    /// Worker threshold: average minutes online per day over the window.
    pub worker_min_daily_uptime_minutes: u16,
    /// Length of the worker window, in completed UTC days (1–60).
    pub worker_window_days: u16,
    /// Longest allowed run of offline (0-minute) days.
    pub worker_max_offline_run_days: u16,
    /// Share of a role's holders flagged priority, in bps (1,000 = 10 %).
    pub priority_bps: u16,
    /// How far a fact time may be ahead of the cluster clock, in seconds.
    pub max_fact_skew_secs: u32,
    /// Distinct oracle keys that must sign each report (1 to the number of oracle keys).
    pub oracle_quorum: u8,
    /// Seconds between scheduled ranking rounds (0: no cadence, rounds open whenever the crank asks).
    pub round_period_secs: u32,
    /// Seconds after its scheduled time during which a round may open (0 without a cadence).
    pub round_open_window_secs: u32,
    /// Rounds are scheduled at this offset plus a whole number of periods,
    /// counted from 1970-01-01 00:00 UTC, in seconds (below the period).
    pub round_offset_secs: u32,
    /// GPU tiers: the best one whose two minimums a GPU meets applies.
    pub gpu_tiers: Vec<GpuTierFile>,
}

/// One GPU tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuTierFile {
    /// Minimum VRAM, in GB.
    pub min_vram_gb: u16,
    /// Minimum hashpower, in the oracle's units.
    pub min_hashpower: u64,
    /// Multiplier of GPU points, in bps (10,000 = 1.0×).
    pub multiplier_bps: u16,
}

/// The pass metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassMetadataFile {
    /// Token name of a creator pass (≤ 32 bytes).
    pub creator_name: String,
    /// Token name of a worker pass (≤ 32 bytes).
    pub worker_name: String,
    /// Token symbol (≤ 10 bytes).
    pub symbol: String,
    /// Metadata URI of a creator pass (≤ 200 bytes).
    pub creator_uri: String,
    /// Metadata URI of a worker pass (≤ 200 bytes).
    pub worker_uri: String,
}

impl RulesFile {
    /// The program's rules.
    pub fn to_rules(&self) -> Result<Rules> {
        let spent = parse_usdt(&self.creator_min_spent_usdt)
            .map_err(|e| anyhow::anyhow!("rules.creator_min_spent_usdt: {e}"))?;
        Ok(Rules {
            creator_min_spent_base_units: spent,
            worker_min_daily_uptime_minutes: self.worker_min_daily_uptime_minutes,
            worker_max_offline_run_days: self.worker_max_offline_run_days,
            priority_bps: self.priority_bps,
            max_fact_skew_secs: self.max_fact_skew_secs,
            scoring: ScoringParams {
                worker_window_days: self.worker_window_days,
                gpu_tiers: self
                    .gpu_tiers
                    .iter()
                    .map(|t| GpuTier {
                        min_vram_gb: t.min_vram_gb,
                        min_hashpower: t.min_hashpower,
                        multiplier_bps: t.multiplier_bps,
                    })
                    .collect(),
            },
            oracle_quorum: self.oracle_quorum,
            cadence: RoundCadence {
                period_secs: self.round_period_secs,
                open_window_secs: self.round_open_window_secs,
                offset_secs: self.round_offset_secs,
            },
        })
    }

    /// The file form of the program's rules.
    pub fn from_rules(r: &Rules) -> Self {
        RulesFile {
            creator_min_spent_usdt: format_usdt_plain(r.creator_min_spent_base_units),
            worker_min_daily_uptime_minutes: r.worker_min_daily_uptime_minutes,
            worker_window_days: r.scoring.worker_window_days,
            worker_max_offline_run_days: r.worker_max_offline_run_days,
            priority_bps: r.priority_bps,
            max_fact_skew_secs: r.max_fact_skew_secs,
            oracle_quorum: r.oracle_quorum,
            round_period_secs: r.cadence.period_secs,
            round_open_window_secs: r.cadence.open_window_secs,
            round_offset_secs: r.cadence.offset_secs,
            gpu_tiers: r
                .scoring
                .gpu_tiers
                .iter()
                .map(|t| GpuTierFile {
                    min_vram_gb: t.min_vram_gb,
                    min_hashpower: t.min_hashpower,
                    multiplier_bps: t.multiplier_bps,
                })
                .collect(),
        }
    }
}

impl PassMetadataFile {
    /// The program's pass metadata.
    pub fn to_metadata(&self) -> PassMetadata {
        PassMetadata {
            creator_name: self.creator_name.clone(),
            worker_name: self.worker_name.clone(),
            symbol: self.symbol.clone(),
            creator_uri: self.creator_uri.clone(),
            worker_uri: self.worker_uri.clone(),
        }
    }

    /// The file form of the program's pass metadata.
    pub fn from_metadata(m: &PassMetadata) -> Self {
        PassMetadataFile {
            creator_name: m.creator_name.clone(),
            worker_name: m.worker_name.clone(),
            symbol: m.symbol.clone(),
            creator_uri: m.creator_uri.clone(),
            worker_uri: m.worker_uri.clone(),
        }
    }
}

impl DeploymentFile {
    /// Reads a deployment file: JSON if it ends in `.json`, TOML otherwise.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text, path.extension().is_some_and(|e| e == "json"))
            .with_context(|| format!("in {}", path.display()))
    }

    /// Parses a deployment file's text.
    pub fn parse(text: &str, json: bool) -> Result<Self> {
        if json {
            Ok(serde_json::from_str(text)?)
        } else {
            Ok(toml::from_str(text)?)
        }
    }

    /// The arguments of `initialize`: the file must name the crank and at least one oracle.
    pub fn initialize_args(&self) -> Result<InitializeArgs> {
        let Some(crank) = &self.crank else { bail!("the file names no crank key (crank = \"…\")") };
        if self.oracles.is_empty() {
            bail!("the file names no oracle key (oracles = [\"…\"])");
        }
        let key =
            |k: &str, what: &str| Pubkey::from_str(k).with_context(|| format!("{what} {k:?} is not a public key"));
        Ok(InitializeArgs {
            crank: key(crank, "crank")?,
            oracles: self.oracles.iter().map(|k| key(k, "oracle")).collect::<Result<_>>()?,
            rules: self.rules.to_rules()?,
            pass_metadata: self.pass_metadata.to_metadata(),
        })
    }

    /// For `config update`: the keys are changed with their own commands.
    pub fn update_parts(&self) -> Result<(Rules, PassMetadata)> {
        if self.crank.is_some() || !self.oracles.is_empty() {
            bail!("keys are not updated from a file: use `crank set KEY` and `oracle add|remove KEY`");
        }
        Ok((self.rules.to_rules()?, self.pass_metadata.to_metadata()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../deploy/pictor-vip.example.toml");

    #[test]
    fn the_example_file_gives_the_default_rules_with_a_daily_cadence() {
        let file = DeploymentFile::parse(EXAMPLE, false).unwrap();
        let args = file.initialize_args().unwrap();
        let daily = RoundCadence { period_secs: 86_400, open_window_secs: 3_600, offset_secs: 3_600 };
        assert_eq!(args.rules, Rules { cadence: daily, ..Rules::default() });
        assert_eq!(args.pass_metadata.symbol, "PVIP");
        assert_eq!(args.oracles.len(), 1);
        // And back: the file form of the rules reads as the rules.
        assert_eq!(RulesFile::from_rules(&args.rules), file.rules);
    }

    #[test]
    fn a_typo_or_a_bad_amount_is_refused_with_the_field_named() {
        let typo = EXAMPLE.replace("priority_bps", "priority_bsp");
        let e = DeploymentFile::parse(&typo, false).unwrap_err().to_string();
        assert!(e.contains("priority_bsp"), "{e}");
        let amount = EXAMPLE.replace("\"5000\"", "\"5000.1234567\"");
        let e = DeploymentFile::parse(&amount, false).unwrap().initialize_args().unwrap_err().to_string();
        assert!(e.contains("creator_min_spent_usdt"), "{e}");
        let json = serde_json::to_string(&DeploymentFile::parse(EXAMPLE, false).unwrap()).unwrap();
        assert_eq!(DeploymentFile::parse(&json, true).unwrap(), DeploymentFile::parse(EXAMPLE, false).unwrap());
    }
}
