//! The product binding (our addition to Datadog's flow): the product of the
//! layout's last step named as the package must have the TUF target's
//! sha256. Without it, an in-toto layout that has no inspection comparing the
//! served file with the build's product accepts any package the online TUF
//! key signs.

use serde_json::json;

use super::Binding;
use crate::intoto::InTotoOutcome;
use crate::verdict::{Evidence, Finding, Subject};

pub const PRODUCT_MISSING: crate::verdict::category::Category = crate::verdict::category::PRODUCT_MISSING;
pub const PRODUCT_HASH_MISMATCH: crate::verdict::category::Category =
    crate::verdict::category::PRODUCT_HASH_MISMATCH;

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
    target: &str,
    intoto: &InTotoOutcome,
) -> Option<(crate::verdict::category::Category, Finding)> {
    if b.holds() {
        return None;
    }
    let subject = Subject::Artifact { path: b.product.clone() };
    // Expected: what TUF serves; actual: what the supply chain produced.
    let evidence = Evidence::Digests {
        expected: json!({ "sha256": b.target_sha256 }),
        actual: json!({ "sha256": b.product_sha256 }),
    };
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
    Some((category, Finding::error(category, subject, message).with_evidence(evidence)))
}
