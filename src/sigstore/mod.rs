pub mod pki;
