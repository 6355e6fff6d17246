//! "Did you mean …?" suggestions.

/// Edit distance between two names (Levenshtein, with transpositions counted as one edit).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if close enough to be a plausible typo: within a third of
/// the length in edits, or an unambiguous prefix/suffix of a longer name (`pass` for
/// `password_policy`).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    // Short names differ from everything by one edit; only a change of case counts for them.
    let limit = if len <= 2 { 0 } else { (len / 3).max(1) };
    // Plausibility ignores case (`Date` for `date`); ranking does not, so that `sytem`
    // suggests the variable `system` rather than the type `System`.
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    let mut prefix_hits = Vec::new();
    for c in candidates {
        if c == name {
            continue;
        }
        if distance(&lower, &c.to_lowercase()) <= limit {
            let d = distance(name, c);
            if best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
                best = Some((d, c));
            }
        }
        if name.len() >= 3 && (c.starts_with(name) || c.ends_with(name)) {
            prefix_hits.push(c);
        }
    }
    prefix_hits.sort_unstable();
    prefix_hits.dedup();
    best.map(|(_, c)| c).or(match prefix_hits.as_slice() {
        [only] => Some(*only),
        _ => None,
    })
}

/// "did you mean `x`?" for the closest candidate.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_plausible_typos_only() {
        let fields = ["password_policy", "accounts", "name", "password_exemption"];
        assert_eq!(closest("pasword_policy", fields), Some("password_policy"));
        assert_eq!(closest("acounts", fields), Some("accounts"));
        assert_eq!(closest("nmae", fields), Some("name"));
        assert_eq!(closest("zzz", fields), None);
        assert_eq!(closest("password", fields), None, "two fields start with it");
        assert_eq!(closest("exemption", fields), Some("password_exemption"));
        assert_eq!(closest("sytem", ["System", "system"]), Some("system"));
        assert_eq!(closest("Date", ["date", "data"]), Some("date"));
        assert_eq!(closest("char_class", ["CharClass", "char_classes"]), Some("char_classes"));
    }
}
