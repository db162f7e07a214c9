//! Small building blocks shared by the views: untrusted text, status words,
//! and the frame around every view (header, breadcrumb, status line, key bar).

pub mod chrome;
pub mod status;
pub mod text;

pub use status::{SPINNER, run_label, severity_label, severity_style};
pub use text::{untrusted, untrusted_line};
