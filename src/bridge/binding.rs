//! The product binding (our addition to Datadog's flow): the product of the
//! layout's last step named as the package must have the TUF target's
//! sha256. Without it, an in-toto layout that has no inspection comparing the
//! served file with the build's product accepts any package the online TUF
//! key signs.
//!
//! Its evidence follows `verdict::Evidence`'s meaning of the two sides:
//! expected is the product the supply chain recorded (the last step's link),
//! actual is the package TUF serves (the target's hashes, which the download
//! was verified against, and the role that signed them).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Binding;
use crate::intoto::InTotoOutcome;
use crate::intoto::links::link_file_name;
use crate::verdict::{DigestSource, Evidence, Finding, Subject};

pub const PRODUCT_MISSING: crate::verdict::category::Category = crate::verdict::category::PRODUCT_MISSING;
pub const PRODUCT_HASH_MISMATCH: crate::verdict::category::Category =
    crate::verdict::category::PRODUCT_HASH_MISMATCH;

/// The package as TUF serves it: its path, every hash the target lists, and
/// the role that listed (signed) it.
pub struct Served<'a> {
    pub target: &'a str,
    pub hashes: &'a BTreeMap<String, String>,
    pub role: Option<&'a str>,
}

/// The binding of `product` (the package's basename) to `target_sha256`,
/// with the last step's link as in-toto used it. None when the layout has no
/// step.
pub fn evaluate(intoto: &InTotoOutcome, product: &str, target_sha256: Option<&str>) -> Option<Binding> {
    let step = intoto.layout.steps.last()?;
    let product_sha256 =
        intoto.summary.products.get(product).and_then(|h| h.get("sha256")).map(std::borrow::Cow::into_owned);
    Some(Binding {
        step: step.name.clone(),
        product: product.to_owned(),
        product_sha256,
        target_sha256: target_sha256.map(str::to_owned),
    })
}

/// The error finding for a binding that does not hold (None if it holds).
pub fn finding(
    b: &Binding,
    served: &Served<'_>,
    intoto: &InTotoOutcome,
) -> Option<(crate::verdict::category::Category, Finding)> {
    if b.holds() {
        return None;
    }
    let target = served.target;
    let subject = Subject::Artifact { path: b.product.clone() };
    let (category, message) = match &b.product_sha256 {
        None => {
            let products: Vec<&String> = intoto.summary.products.keys().collect();
            (
                PRODUCT_MISSING,
                format!(
                    "the last step '{}' has no product '{}' with a sha256 (its products: {products:?}): nothing in the supply chain produced the package TUF serves as {target}",
                    b.step, b.product
                ),
            )
        }
        Some(p) => (
            PRODUCT_HASH_MISMATCH,
            format!(
                "the package TUF serves as {target} is not the product of the last step '{}': product '{}' has sha256 {p}, the TUF target has sha256 {}",
                b.step,
                b.product,
                b.target_sha256.as_deref().unwrap_or("(none listed)")
            ),
        ),
    };
    let finding = Finding::error(category, subject, message).with_evidence(evidence(b, served, intoto));
    Some((category, finding))
}

/// Expected: the product in the last step's link; actual: the TUF target.
fn evidence(b: &Binding, served: &Served<'_>, intoto: &InTotoOutcome) -> Evidence {
    let expected = intoto.summary.products.get(&b.product).map_or(Value::Null, |h| h.to_value());
    let actual: Map<String, Value> =
        served.hashes.iter().map(|(alg, hex)| (alg.clone(), Value::String(hex.clone()))).collect();
    let mut product = DigestSource::new(format!("product {} of step '{}'", b.product, b.step));
    if let Some(keyid) = last_link_keyid(intoto) {
        product = product.in_file(link_file_name(&b.step, keyid)).signed_by_key(keyid);
    }
    let mut package = DigestSource::new(format!("TUF target {}", served.target));
    if let Some(role) = served.role {
        package = package.signed_by_role(role);
    }
    Evidence::digests_from(expected, product, Value::Object(actual), package)
}

/// The key id of the last step's link the rules used.
fn last_link_keyid(intoto: &InTotoOutcome) -> Option<&str> {
    intoto.layout.steps.last()?.used_link.as_deref()
}
