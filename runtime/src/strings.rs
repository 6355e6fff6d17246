//! Interned strings: equal strings get equal symbols, so string equality is word equality.
//!
//! Strings live in layers: the engine's (literals of the policy), a snapshot's, and an
//! evaluation's scratch layer (strings computed by `lower`, interpolation, …). Each layer
//! numbers its symbols after the layers below it, and interning looks through all of them, so
//! a symbol names the same text wherever it was interned.

use std::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// One layer of interned strings: the text of all its strings in one buffer.
#[derive(Clone, Default)]
pub struct Interner {
    /// Symbol numbers of this layer start here.
    base: u32,
    text: String,
    spans: Vec<(u32, u32)>,
    table: HashTable<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner").field("base", &self.base).field("len", &self.spans.len()).finish()
    }
}

fn hash(s: &str) -> u64 {
    let mut h = FxBuildHasher.build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

impl Interner {
    /// An empty layer whose symbols start at `base`.
    pub fn with_base(base: u32) -> Interner {
        Interner { base, ..Interner::default() }
    }

    /// The first symbol of this layer.
    pub fn base(&self) -> u32 {
        self.base
    }

    /// The first symbol after this layer.
    pub fn end(&self) -> u32 {
        self.base + self.spans.len() as u32
    }

    /// The text of a symbol of this layer.
    pub fn get(&self, sym: u32) -> Option<&str> {
        let (start, len) = *self.spans.get(sym.checked_sub(self.base)? as usize)?;
        self.text.get(start as usize..(start + len) as usize)
    }

    /// The symbol of `s` in this layer only.
    pub fn find(&self, s: &str) -> Option<u32> {
        let h = hash(s);
        self.table.find(h, |&local| self.local_text(local) == s).map(|&local| self.base + local)
    }

    fn local_text(&self, local: u32) -> &str {
        self.spans
            .get(local as usize)
            .and_then(|&(st, len)| self.text.get(st as usize..(st + len) as usize))
            .unwrap_or("")
    }

    /// Adds `s` to this layer (the caller has checked the layers below).
    fn insert(&mut self, s: &str) -> u32 {
        let local = self.spans.len() as u32;
        let start = self.text.len() as u32;
        self.text.push_str(s);
        self.spans.push((start, s.len() as u32));
        let h = hash(s);
        let Interner { table, spans, text, .. } = self;
        table.insert_unique(h, local, |&l| {
            let (st, len) = spans.get(l as usize).copied().unwrap_or((0, 0));
            hash(text.get(st as usize..(st + len) as usize).unwrap_or(""))
        });
        self.base + local
    }

    /// Interns `s` in this layer, unless a layer in `below` has it.
    pub fn intern(&mut self, below: &[&Interner], s: &str) -> u32 {
        for layer in below {
            if let Some(sym) = layer.find(s) {
                return sym;
            }
        }
        match self.find(s) {
            Some(sym) => sym,
            None => self.insert(s),
        }
    }

    /// Bytes of text held.
    pub fn text_bytes(&self) -> usize {
        self.text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_share_symbols() {
        let mut base = Interner::with_base(0);
        let a = base.intern(&[], "管理者");
        let mut snap = Interner::with_base(base.end());
        assert_eq!(snap.intern(&[&base], "管理者"), a);
        let b = snap.intern(&[&base], "利用者");
        assert_eq!(snap.intern(&[&base], "利用者"), b);
        assert_ne!(a, b);
        assert_eq!(snap.get(b), Some("利用者"));
        assert_eq!(base.get(a), Some("管理者"));
        assert_eq!(snap.get(a), None);
    }
}
