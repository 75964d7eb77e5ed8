//! The pass's off-chain metadata: the JSON a wallet fetches from the URI the
//! program writes into each pass (Token-2022's metadata extension, found
//! through the mint's metadata pointer), and the image it names. Name and
//! symbol come from the on-chain configuration, so the JSON always agrees
//! with the token; the thresholds in the attributes are the configured rules.
use pictor_vip_sdk::state::{Config, Role};
use pictor_vip_sdk::units::format_usdt;
use serde_json::{json, Value};

/// `/metadata/ROLE.json` (the Metaplex-style JSON wallets read: name, symbol,
/// description, image, external_url, attributes, properties.files).
pub fn metadata_json(role: Role, config: &Config, public_url: &str) -> Value {
    let rules = &config.rules;
    let meta = &config.pass_metadata;
    let image = format!("{public_url}/metadata/{}.svg", role.as_str());
    let (name, threshold, description) = match role {
        Role::Creator => {
            let spent = format_usdt(rules.creator_min_spent_base_units);
            (
                &meta.creator_name,
                format!("{spent} spent"),
                format!(
                    "Soulbound Pictor VIP Pass of a creator who has spent at least {spent} rendering on Pictor. \
                     Holders are scored every ranking round; the top {} are first in line for GPUs. Not transferable.",
                    percent(rules.priority_bps)
                ),
            )
        }
        Role::Worker => {
            let hours = f64::from(rules.worker_min_daily_uptime_minutes) / 60.0;
            let days = rules.scoring.worker_window_days;
            let offline = rules.worker_max_offline_run_days;
            (
                &meta.worker_name,
                format!("{hours} h/day over {days} days, at most {offline} offline days in a row"),
                format!(
                    "Soulbound Pictor VIP Pass of a GPU worker online {hours} h/day on average over {days} days, \
                     never offline more than {offline} days in a row. Holders are scored every ranking round; \
                     the top {} get jobs first. Not transferable.",
                    percent(rules.priority_bps)
                ),
            )
        }
    };
    json!({
        "name": name,
        "symbol": meta.symbol,
        "description": description,
        "image": image,
        "external_url": format!("{public_url}/"),
        "attributes": [
            {"trait_type": "Role", "value": super::pages::role_title(role)},
            {"trait_type": "Eligibility", "value": threshold},
            {"trait_type": "Priority", "value": format!("top {} of holders per round", percent(rules.priority_bps))},
            {"trait_type": "Transferable", "value": "No (Token-2022 NonTransferable)"},
        ],
        "properties": {
            "category": "image",
            "files": [{"uri": image, "type": "image/svg+xml"}],
        },
    })
}

/// Basis points as a percentage ("10 %", "12.5 %").
pub(crate) fn percent(bps: u16) -> String {
    let whole = bps / 100;
    match bps % 100 {
        0 => format!("{whole} %"),
        r if r % 10 == 0 => format!("{whole}.{} %", r / 10),
        r => format!("{whole}.{r:02} %"),
    }
}

/// `/metadata/ROLE.svg`: the pass's image, one per role.
pub fn image_svg(role: Role) -> String {
    let (label, from, to, glyph) = match role {
        // A frame (creators render frames).
        Role::Creator => (
            "CREATOR",
            "#6d28d9",
            "#db2777",
            r##"<rect x="150" y="150" width="212" height="150" rx="14" fill="none" stroke="#fff" stroke-width="14"/><path d="M170 280l55-70 40 45 30-30 47 55z" fill="#fff"/>"##,
        ),
        // A GPU board (workers rent GPUs).
        Role::Worker => (
            "WORKER",
            "#0f766e",
            "#2563eb",
            r##"<rect x="140" y="165" width="232" height="120" rx="12" fill="none" stroke="#fff" stroke-width="14"/><circle cx="215" cy="225" r="34" fill="none" stroke="#fff" stroke-width="12"/><circle cx="305" cy="225" r="34" fill="none" stroke="#fff" stroke-width="12"/><path d="M160 285v30M190 285v30M220 285v30M250 285v30" stroke="#fff" stroke-width="10"/>"##,
        ),
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512" role="img" aria-label="Pictor VIP Pass, {label}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{from}"/><stop offset="1" stop-color="{to}"/></linearGradient></defs>
<rect width="512" height="512" rx="48" fill="url(#g)"/>
<rect x="24" y="24" width="464" height="464" rx="32" fill="none" stroke="#ffffff" stroke-opacity="0.35" stroke-width="4"/>
<text x="256" y="104" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="44" font-weight="700" fill="#fff" letter-spacing="6">PICTOR VIP</text>
{glyph}
<text x="256" y="408" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="40" font-weight="700" fill="#fff" letter-spacing="8">{label}</text>
<text x="256" y="452" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="20" fill="#fff" fill-opacity="0.8">SOULBOUND PASS</text>
</svg>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_exact() {
        assert_eq!(percent(1_000), "10 %");
        assert_eq!(percent(1_250), "12.5 %");
        assert_eq!(percent(1_234), "12.34 %");
        assert_eq!(percent(5), "0.05 %");
    }

    #[test]
    fn images_are_svg_documents_naming_their_role() {
        for role in Role::ALL {
            let svg = image_svg(role);
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(svg.contains(&role.as_str().to_uppercase()));
            assert!(svg.trim_end().ends_with("</svg>"));
        }
    }
}
