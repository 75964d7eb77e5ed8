//! What the pages load: the stylesheet and the wallet flow's script (built
//! by esbuild from `app/web`, committed in `app/server/assets/`, so the
//! server needs no Node), embedded in the binary and served under a name
//! that carries their content's hash, so that they may be cached for good
//! (`immutable`) and a new build is a new name.
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// The wallet flow's script (`app/web/src/profile.ts`, bundled).
pub const PROFILE_JS: &str = include_str!("../assets/profile.js");
/// The pages' stylesheet.
pub const SITE_CSS: &str = include_str!("../assets/site.css");

/// A file the pages load.
pub struct Asset {
    /// Its name under `/assets/` (`profile.HASH.js`).
    pub name: String,
    /// Its content.
    pub body: &'static str,
    /// Its content type.
    pub content_type: &'static str,
}

fn hashed(stem: &str, ext: &str, body: &'static str, content_type: &'static str) -> Asset {
    let digest = solana_sha256_hasher::hash(body.as_bytes()).to_bytes();
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Asset { name: format!("{stem}.{short}.{ext}"), body, content_type }
}

/// The assets, named by their hash.
pub static ASSETS: LazyLock<[Asset; 2]> = LazyLock::new(|| {
    [
        hashed("profile", "js", PROFILE_JS, "text/javascript; charset=utf-8"),
        hashed("site", "css", SITE_CSS, "text/css; charset=utf-8"),
    ]
});

/// The script's path.
pub fn script_path() -> String {
    format!("/assets/{}", ASSETS[0].name)
}

/// The stylesheet's path.
pub fn style_path() -> String {
    format!("/assets/{}", ASSETS[1].name)
}

/// `GET /assets/NAME`: cached for a year, never revalidated.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => {
            let mut r = a.body.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.content_type));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
