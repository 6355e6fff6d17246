//! Heaps of records and lists, and where each came from in the snapshot.
//!
//! Three heaps are stacked during an evaluation: the engine's (constants), the snapshot's
//! (facts), and a scratch heap (values computed while evaluating). Each numbers its records,
//! lists and strings after the heaps below it, so a [`Word`] refers to one place whichever
//! heap holds it, and the snapshot heap can be shared, read-only, by every thread.

use okite_ir::{Program, RecordId};

use crate::strings::Interner;
use crate::word::{NONE, Word};

/// The header of a list: its elements are `elems[start..start + len]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListHeader {
    /// First element.
    pub start: u32,
    /// Number of elements.
    pub len: u32,
    /// Where the list is in the snapshot ([`NO_ORIGIN`] for computed lists).
    pub origin: u32,
}

/// The origin of values computed during evaluation: they have no place in the snapshot.
pub const NO_ORIGIN: u32 = u32::MAX;

/// A step from a record or list to one of its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg {
    /// The snapshot root.
    Root,
    /// A field of a record.
    Field {
        /// The record type.
        record: RecordId,
        /// The field's index.
        field: u32,
    },
    /// An element of a list.
    Index(u32),
}

/// A node of the origin tree: every record and list of a snapshot has one, so any of them can
/// be located by a JSON Pointer without storing the pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The parent node (the root is its own parent).
    pub parent: u32,
    /// The step from the parent.
    pub seg: Seg,
}

/// Records, lists and strings.
#[derive(Clone, Debug, Default)]
pub struct Heap {
    /// First record offset of this heap.
    pub word_base: u32,
    /// Record storage: each record is a header word (its origin) followed by its fields.
    pub words: Vec<Word>,
    /// First list id of this heap.
    pub list_base: u32,
    /// List headers.
    pub lists: Vec<ListHeader>,
    /// List elements.
    pub elems: Vec<Word>,
    /// Strings.
    pub strings: Interner,
    /// The origin tree (snapshot heap only).
    pub origins: Vec<Origin>,
}

impl Heap {
    /// An empty heap stacked on `below` (or at the bottom).
    pub fn above(below: Option<&Heap>) -> Heap {
        match below {
            Some(b) => Heap {
                word_base: b.word_end(),
                list_base: b.list_end(),
                strings: Interner::with_base(b.strings.end()),
                ..Heap::default()
            },
            None => Heap::default(),
        }
    }

    /// One past the last record offset.
    pub fn word_end(&self) -> u32 {
        self.word_base.saturating_add(self.words.len() as u32)
    }

    /// One past the last list id.
    pub fn list_end(&self) -> u32 {
        self.list_base.saturating_add(self.lists.len() as u32)
    }

    /// Whether a record offset belongs to this heap.
    pub fn has_record(&self, r: u32) -> bool {
        r >= self.word_base && r < self.word_end()
    }

    /// Whether a list id belongs to this heap.
    pub fn has_list(&self, l: u32) -> bool {
        l >= self.list_base && l < self.list_end()
    }

    /// Allocates a record of `nfields` fields (all `none`) with the given origin; returns its
    /// word.
    pub fn alloc_record(&mut self, nfields: usize, origin: u32) -> Word {
        let at = self.word_end();
        self.words.push(Word::from(origin));
        self.words.resize(self.words.len() + nfields, NONE);
        Word::from(at)
    }

    /// Sets field `i` of a record of this heap.
    pub fn set_field(&mut self, record: Word, i: u32, value: Word) {
        let at = (record as u32).wrapping_sub(self.word_base) as usize + 1 + i as usize;
        if let Some(slot) = self.words.get_mut(at) {
            *slot = value;
        }
    }

    /// Appends a list with these elements; returns its word.
    pub fn push_list(&mut self, items: &[Word], origin: u32) -> Word {
        let id = self.list_end();
        let start = self.elems.len() as u32;
        self.elems.extend_from_slice(items);
        self.lists.push(ListHeader { start, len: items.len() as u32, origin });
        Word::from(id)
    }

    /// Adds an origin node; returns its id.
    pub fn push_origin(&mut self, parent: u32, seg: Seg) -> u32 {
        self.origins.push(Origin { parent, seg });
        (self.origins.len() - 1) as u32
    }

    /// Approximate bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
            + self.elems.capacity() * 8
            + self.lists.capacity() * std::mem::size_of::<ListHeader>()
            + self.origins.capacity() * std::mem::size_of::<Origin>()
            + self.strings.text_bytes()
    }
}

/// A stack of heaps, searched top-down for the one owning a word.
#[derive(Clone, Copy, Debug)]
pub struct Heaps<'a> {
    /// Bottom first: engine, snapshot, scratch (some may be missing).
    pub layers: &'a [&'a Heap],
}

impl<'a> Heaps<'a> {
    fn record_heap(&self, r: u32) -> Option<&'a Heap> {
        self.layers.iter().rev().copied().find(|h| h.has_record(r))
    }

    fn list_heap(&self, l: u32) -> Option<&'a Heap> {
        self.layers.iter().rev().copied().find(|h| h.has_list(l))
    }

    /// Field `i` of record `r` (`none` for a malformed reference).
    pub fn field(&self, r: Word, i: u32) -> Word {
        let r = r as u32;
        match self.record_heap(r) {
            Some(h) => h.words.get((r - h.word_base) as usize + 1 + i as usize).copied().unwrap_or(NONE),
            None => NONE,
        }
    }

    /// The origin node of record `r`.
    pub fn record_origin(&self, r: Word) -> u32 {
        let r = r as u32;
        match self.record_heap(r) {
            Some(h) => h.words.get((r - h.word_base) as usize).map_or(NO_ORIGIN, |&w| w as u32),
            None => NO_ORIGIN,
        }
    }

    /// The elements of list (or set) `l`.
    pub fn elems(&self, l: Word) -> &'a [Word] {
        let l = l as u32;
        let Some(h) = self.list_heap(l) else { return &[] };
        let Some(hdr) = h.lists.get((l - h.list_base) as usize) else { return &[] };
        h.elems.get(hdr.start as usize..(hdr.start + hdr.len) as usize).unwrap_or(&[])
    }

    /// The origin node of list `l`.
    pub fn list_origin(&self, l: Word) -> u32 {
        let l = l as u32;
        self.list_heap(l).and_then(|h| h.lists.get((l - h.list_base) as usize)).map_or(NO_ORIGIN, |hdr| hdr.origin)
    }

    /// The text of a symbol.
    pub fn str(&self, sym: Word) -> &'a str {
        let sym = sym as u32;
        for h in self.layers.iter().rev() {
            if sym >= h.strings.base() && sym < h.strings.end() {
                return h.strings.get(sym).unwrap_or("");
            }
        }
        ""
    }
}

/// The JSON Pointer of an origin node in `heap` (the snapshot heap).
pub fn pointer(program: &Program, heap: &Heap, mut node: u32) -> Option<String> {
    if node == NO_ORIGIN {
        return None;
    }
    let mut segs: Vec<String> = Vec::new();
    for _ in 0..=heap.origins.len() {
        let o = heap.origins.get(node as usize)?;
        match o.seg {
            Seg::Root => break,
            Seg::Field { record, field } => {
                let name = program.records.get(record.0 as usize)?.fields.get(field as usize)?.name.as_str();
                segs.push(name.replace('~', "~0").replace('/', "~1"));
            }
            Seg::Index(i) => segs.push(i.to_string()),
        }
        node = o.parent;
    }
    segs.reverse();
    let mut out = String::new();
    for s in segs {
        out.push('/');
        out.push_str(&s);
    }
    Some(out)
}
