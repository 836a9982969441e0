//! A worker's table of connections: slots named by tokens that epoll hands
//! back with each event. A token is the slot's index (low 32 bits) and the
//! slot's generation (high 32 bits); the generation moves on whenever a
//! slot is emptied, so an event still queued for a closed connection never
//! reaches the connection that later takes its slot.
//!
//! Free slots form a list through the slab itself (no block of its own that
//! a crowd's departure would grow). `shrink` gives back the memory of a slab
//! that a crowd grew and that stands mostly empty; a slot made again later
//! starts above every generation the dropped slots had.

/// The end of the free-slot list.
const NO_SLOT: u32 = u32::MAX;
/// `shrink` keeps at least this many slots.
const MIN_SLOTS: usize = 64;

struct Slot<T> {
    generation: u32,
    /// While free: the next free slot (`NO_SLOT` ends the list).
    next_free: u32,
    value: Option<T>,
}

/// Values named by generation-checked tokens (see the module docs).
pub(crate) struct Slab<T> {
    slots: Vec<Slot<T>>,
    first_free: u32,
    /// The generation a newly made slot starts at.
    fresh_generation: u32,
    live: usize,
}

impl<T> Slab<T> {
    pub(crate) const fn new() -> Self {
        Self {
            slots: Vec::new(),
            first_free: NO_SLOT,
            fresh_generation: 0,
            live: 0,
        }
    }

    /// How many values it holds.
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// How many slots there are (values and free ones): indices run below.
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The token the next `insert` returns (nothing is taken), so that the
    /// caller can register it before the value exists.
    pub(crate) fn next_token(&self) -> u64 {
        match self.slots.get(self.first_free as usize) {
            Some(slot) => token(self.first_free as usize, slot.generation),
            None => token(self.slots.len(), self.fresh_generation),
        }
    }

    /// Stores `value` in the slot `next_token` named; returns that token.
    pub(crate) fn insert(&mut self, value: T) -> u64 {
        let idx = self.first_free as usize;
        let idx = match self.slots.get_mut(idx) {
            Some(slot) => {
                self.first_free = slot.next_free;
                slot.value = Some(value);
                idx
            }
            None => {
                self.slots.push(Slot {
                    generation: self.fresh_generation,
                    next_free: NO_SLOT,
                    value: Some(value),
                });
                self.slots.len() - 1
            }
        };
        self.live += 1;
        token(idx, self.slots[idx].generation)
    }

    /// The value `token` names, if it is still there.
    pub(crate) fn get_mut(&mut self, token: u64) -> Option<&mut T> {
        let slot = self.slots.get_mut(index(token))?;
        if slot.generation != (token >> 32) as u32 {
            return None;
        }
        slot.value.as_mut()
    }

    /// The value in slot `idx`, if any.
    pub(crate) fn get_at(&self, idx: usize) -> Option<&T> {
        self.slots.get(idx)?.value.as_ref()
    }

    /// The values and their slot indices.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.value.as_ref()?)))
    }

    /// Takes the value out of slot `idx` and frees the slot under a new
    /// generation (every token naming it is stale from now on).
    pub(crate) fn remove_at(&mut self, idx: usize) -> Option<T> {
        let slot = self.slots.get_mut(idx)?;
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        slot.next_free = self.first_free;
        self.first_free = idx as u32;
        self.live -= 1;
        Some(value)
    }

    /// When the slab holds more than `MIN_SLOTS` slots and under a quarter
    /// of them are used: drops the free slots at its end and returns their
    /// memory.
    pub(crate) fn shrink(&mut self) {
        if self.slots.len() <= MIN_SLOTS || self.live * 4 > self.slots.len() {
            return;
        }
        while let Some(slot) = self.slots.pop_if(|s| s.value.is_none()) {
            self.fresh_generation = self.fresh_generation.max(slot.generation.wrapping_add(1));
        }
        self.slots.shrink_to(self.slots.len().max(MIN_SLOTS));
        // The free list again, lowest slots first.
        self.first_free = NO_SLOT;
        for (i, slot) in self.slots.iter_mut().enumerate().rev() {
            if slot.value.is_none() {
                slot.next_free = self.first_free;
                self.first_free = i as u32;
            }
        }
    }
}

/// The slot index a token names.
pub(crate) fn index(token: u64) -> usize {
    (token & 0xffff_ffff) as usize
}

fn token(idx: usize, generation: u32) -> u64 {
    (u64::from(generation) << 32) | idx as u64
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_token_goes_stale_when_its_slot_is_emptied_and_reused() {
        let mut slab = Slab::new();
        let first = slab.insert("first");
        assert_eq!(slab.get_mut(first), Some(&mut "first"));
        assert_eq!(slab.remove_at(index(first)), Some("first"));
        assert_eq!(slab.get_mut(first), None);
        let second = slab.insert("second");
        assert_eq!(index(second), index(first));
        assert_ne!(second, first);
        assert_eq!(slab.get_mut(first), None);
        assert_eq!(slab.get_mut(second), Some(&mut "second"));
    }

    #[test]
    fn a_token_of_a_dropped_slot_stays_stale_after_the_slot_is_made_again() {
        let mut slab = Slab::new();
        let tokens: Vec<u64> = (0..200).map(|i| slab.insert(i)).collect();
        // Empty the slots at the end, some of them twice (a higher
        // generation than their neighbours).
        for &t in &tokens[10..] {
            slab.remove_at(index(t));
        }
        let again = slab.insert(-1);
        slab.remove_at(index(again));
        slab.shrink();
        assert_eq!(slab.slot_count(), 10);
        for i in 0..300 {
            slab.insert(1000 + i);
        }
        for &t in tokens[10..].iter().chain([&again]) {
            assert_eq!(slab.get_mut(t), None, "stale token {t:#x} found a value");
        }
        for (i, &t) in tokens[..10].iter().enumerate() {
            assert_eq!(slab.get_mut(t), Some(&mut (i as i32)));
        }
    }

    #[test]
    fn shrink_keeps_a_slab_that_is_small_or_more_than_a_quarter_used() {
        let mut slab = Slab::new();
        let small: Vec<u64> = (0..MIN_SLOTS).map(|i| slab.insert(i)).collect();
        for &t in &small[1..] {
            slab.remove_at(index(t));
        }
        slab.shrink();
        assert_eq!(slab.slot_count(), MIN_SLOTS, "a small slab is kept");
        let mut slab = Slab::new();
        let tokens: Vec<u64> = (0..100).map(|i| slab.insert(i)).collect();
        for &t in &tokens[30..] {
            slab.remove_at(index(t));
        }
        slab.shrink();
        assert_eq!(
            slab.slot_count(),
            100,
            "30 of 100 used: more than a quarter"
        );
        for &t in &tokens[5..10] {
            slab.remove_at(index(t));
        }
        slab.shrink();
        assert_eq!(
            slab.slot_count(),
            30,
            "the free slots at the end are dropped"
        );
        assert_eq!(slab.live(), 25);
        // The free list was rebuilt: the next value takes the lowest free slot.
        assert_eq!(index(slab.next_token()), 5);
        assert_eq!(index(slab.insert(0)), 5);
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Insert this many values (a crowd arrives).
        Insert(usize),
        /// Remove the value of the n-th token ever issued (stale or not).
        Remove(usize),
        /// Remove every value but the first `n` live ones (a crowd leaves).
        RemoveAllBut(usize),
        Shrink,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (1..120usize).prop_map(Op::Insert),
            4 => any::<usize>().prop_map(Op::Remove),
            1 => (0..20usize).prop_map(Op::RemoveAllBut),
            2 => Just(Op::Shrink),
        ]
    }

    proptest! {
        /// Against a model (a map from live tokens to values): every token
        /// ever issued finds its value exactly while it is live, tokens are
        /// never issued twice, `next_token` predicts `insert`, and the count
        /// of values agrees.
        #[test]
        fn slab_agrees_with_a_map_of_live_tokens(ops in proptest::collection::vec(op(), 1..60)) {
            let mut slab = Slab::new();
            let mut model: HashMap<u64, usize> = HashMap::new();
            let mut issued: Vec<u64> = Vec::new();
            for (n, op) in ops.into_iter().enumerate() {
                match op {
                    Op::Insert(count) => {
                        for i in 0..count {
                            let predicted = slab.next_token();
                            let token = slab.insert(n * 1000 + i);
                            prop_assert_eq!(token, predicted);
                            prop_assert!(!issued.contains(&token), "token {:#x} issued twice", token);
                            issued.push(token);
                            model.insert(token, n * 1000 + i);
                        }
                    }
                    Op::Remove(k) if !issued.is_empty() => {
                        let token = issued[k % issued.len()];
                        let expected = model.remove(&token);
                        let removed = if expected.is_some() {
                            slab.remove_at(index(token))
                        } else {
                            None
                        };
                        prop_assert_eq!(removed, expected);
                    }
                    Op::Remove(_) => {}
                    Op::RemoveAllBut(keep) => {
                        let live: Vec<u64> =
                            issued.iter().copied().filter(|t| model.contains_key(t)).collect();
                        for &token in live.iter().skip(keep) {
                            let expected = model.remove(&token);
                            prop_assert_eq!(slab.remove_at(index(token)), expected);
                        }
                    }
                    Op::Shrink => slab.shrink(),
                }
                prop_assert_eq!(slab.live(), model.len());
                for &token in &issued {
                    prop_assert_eq!(slab.get_mut(token).copied(), model.get(&token).copied());
                }
            }
        }
    }
}
