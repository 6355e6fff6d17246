//! The guideline index: sections and clauses a policy set implements.

use serde::{Deserialize, Serialize};

/// A section of the guideline, e.g. `14` 指定管理業務に係るID及びパスワード等の取扱い.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionDef {
    /// The section number as written in clause ids.
    pub id: String,
    /// The section's title.
    pub title: String,
    /// Its clauses, in guideline order.
    pub clauses: Vec<ClauseDef>,
}

/// One clause of the guideline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseDef {
    /// The id, e.g. `14(8)` or `7(6)カ`.
    pub id: String,
    /// The clause text, verbatim.
    pub text: String,
    /// Whether it asks something of the designated manager (and so needs a rule).
    pub normative: bool,
}
