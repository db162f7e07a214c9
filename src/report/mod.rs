//! Renderers over the one result model, [`crate::verdict`] (DESIGN §2, §4):
//! text for people, the Markdown auditor report and SARIF 2.1.0. The JSON
//! document is the model's own serialization ([`crate::verdict::Document`]).

pub mod evidence;
pub mod markdown;
pub mod record;
pub mod sarif;
pub mod text;
pub mod text_attest;
pub mod text_bridge;
pub mod text_intoto;
pub mod tuf_text;
