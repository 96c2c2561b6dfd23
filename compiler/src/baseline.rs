//! The baseline: what the previously deployed topology looked like, as far as checks that
//! compare a change against it need (GH107). It is computed from the previous version's model
//! and graph (`gatehouse check --baseline DIR`), and serialises to JSON so a compiled output can
//! carry it. It records, per API Management certificate, which backends and policies referenced
//! it: Azure refuses to delete a certificate while those references exist.
//!
//! This module does no IO: the CLI loads the previous topology and hands its model in.

use crate::graph::Graph;
use crate::model::{CertificateId, Model};
use serde::{Deserialize, Serialize};

/// The version of the JSON form; bumped on an incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// The previous deployment's certificates and their dependents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub format_version: u32,
    /// Sorted by address.
    pub certificates: Vec<BaselineCertificate>,
}

/// One certificate of the previous topology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineCertificate {
    /// `certificate.ledger_client`.
    pub address: String,
    /// The backends and policies that referenced it, by address (sorted).
    pub dependents: Vec<String>,
}

impl Baseline {
    /// The baseline of a (previous) topology.
    pub fn of(model: &Model, graph: &Graph) -> Baseline {
        let mut certificates: Vec<BaselineCertificate> = model
            .certificates
            .iter()
            .enumerate()
            .map(|(index, cert)| {
                let mut dependents: Vec<String> = graph
                    .certificate_dependents(CertificateId(index as u32))
                    .into_iter()
                    .map(|(node, _)| graph.address(node))
                    .collect();
                dependents.sort();
                dependents.dedup();
                BaselineCertificate {
                    address: cert.decl.address.clone(),
                    dependents,
                }
            })
            .collect();
        certificates.sort_by(|a, b| a.address.cmp(&b.address));
        Baseline {
            format_version: FORMAT_VERSION,
            certificates,
        }
    }

    /// The JSON form, deterministic (sorted, pretty-printed, final newline).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads the JSON form; an unknown `format_version` is an error.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.format_version != FORMAT_VERSION {
            return Err(format!(
                "baseline format_version {} is not supported (this gatehouse reads {FORMAT_VERSION})",
                baseline.format_version
            ));
        }
        Ok(baseline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_and_rejects_other_versions() {
        let baseline = Baseline {
            format_version: FORMAT_VERSION,
            certificates: vec![BaselineCertificate {
                address: "certificate.ledger_client".into(),
                dependents: vec!["api_management.main.backend.ledger".into()],
            }],
        };
        let text = baseline.to_json();
        assert_eq!(Baseline::from_json(&text), Ok(baseline));
        let other = text.replace("\"format_version\": 1", "\"format_version\": 2");
        assert!(Baseline::from_json(&other)
            .unwrap_err()
            .contains("format_version 2"));
        assert!(Baseline::from_json("{}").is_err());
    }
}
