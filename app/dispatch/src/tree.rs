//! A tournament tree over buckets sorted by VRAM: which bucket of a suffix
//! (every bucket with at least some VRAM) has the best ready worker, and
//! whether any bucket of a suffix has workers at all, each in O(log n).
//! The index keeps one per GPU class and per model, region and pair of the
//! two within a class, so a job's hard needs cost a few tree queries, not a
//! look at every bucket (SPEC §10: a round's time and memory are bounded by
//! its input).

/// No bucket.
pub(crate) const NONE: u32 = u32::MAX;

/// The tree: leaves are buckets in ascending VRAM.
pub(crate) struct MinTree {
    /// Leaf i's VRAM, ascending.
    vram: Vec<u32>,
    /// Leaf i's bucket.
    buckets: Vec<u32>,
    /// Leaves start at `size` (a power of two); node i holds the best
    /// bucket of its leaves (or NONE), `has[i]` whether any of its leaves
    /// has workers.
    best: Vec<u32>,
    has: Vec<bool>,
    size: usize,
}

impl MinTree {
    /// A tree over `leaves` (bucket, VRAM), sorted here by VRAM then bucket.
    pub(crate) fn new(mut leaves: Vec<(u32, u32)>) -> Self {
        leaves.sort_unstable_by_key(|&(b, v)| (v, b));
        let size = leaves.len().next_power_of_two().max(1);
        MinTree {
            vram: leaves.iter().map(|l| l.1).collect(),
            buckets: leaves.iter().map(|l| l.0).collect(),
            best: vec![NONE; 2 * size],
            has: vec![false; 2 * size],
            size,
        }
    }

    /// The leaves' buckets, in VRAM order.
    pub(crate) fn buckets(&self) -> &[u32] {
        &self.buckets
    }

    /// Sets leaf `i`: whether its bucket has a ready worker and any worker;
    /// `better(a, b)`: bucket a's best worker comes before bucket b's.
    pub(crate) fn set(&mut self, i: usize, ready: bool, members: bool, better: impl Fn(u32, u32) -> bool) {
        let mut n = self.size + i;
        self.best[n] = if ready { self.buckets[i] } else { NONE };
        self.has[n] = members;
        while n > 1 {
            n /= 2;
            let (l, r) = (self.best[2 * n], self.best[2 * n + 1]);
            self.best[n] = pick(l, r, &better);
            self.has[n] = self.has[2 * n] || self.has[2 * n + 1];
        }
    }

    /// The first leaf with at least `min_vram_gb`.
    fn first_leaf(&self, min_vram_gb: u32) -> usize {
        self.vram.partition_point(|&v| v < min_vram_gb)
    }

    /// The bucket with the best ready worker among those with at least
    /// `min_vram_gb`, or NONE.
    pub(crate) fn best_from(&self, min_vram_gb: u32, better: impl Fn(u32, u32) -> bool) -> u32 {
        let (mut lo, mut hi) = (self.size + self.first_leaf(min_vram_gb), 2 * self.size);
        let mut out = NONE;
        while lo < hi {
            if lo & 1 == 1 {
                out = pick(out, self.best[lo], &better);
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                out = pick(out, self.best[hi], &better);
            }
            lo /= 2;
            hi /= 2;
        }
        out
    }

    /// Whether a bucket with at least `min_vram_gb` has workers.
    pub(crate) fn any_from(&self, min_vram_gb: u32) -> bool {
        let (mut lo, mut hi) = (self.size + self.first_leaf(min_vram_gb), 2 * self.size);
        let mut any = false;
        while lo < hi {
            if lo & 1 == 1 {
                any |= self.has[lo];
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                any |= self.has[hi];
            }
            lo /= 2;
            hi /= 2;
        }
        any
    }
}

/// The better of two buckets, either of which may be NONE.
pub(crate) fn pick(a: u32, b: u32, better: impl Fn(u32, u32) -> bool) -> u32 {
    match (a, b) {
        (NONE, x) | (x, NONE) => x,
        (a, b) => {
            if better(b, a) {
                b
            } else {
                a
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_queries_agree_with_a_scan() {
        // Buckets 0..8 with VRAM 8, 16, 16, 24, 24, 48, 80, 80 (given out of order);
        // a bucket's worker is better when its number is lower.
        let vram = [24u32, 16, 80, 8, 48, 16, 80, 24];
        let leaves: Vec<(u32, u32)> = vram.iter().enumerate().map(|(b, &v)| (b as u32, v)).collect();
        let mut t = MinTree::new(leaves);
        let better = |a: u32, b: u32| a < b;
        let ready = [true, false, true, false, true, true, false, false];
        let members = [true, true, true, false, true, true, false, false];
        for (i, &b) in t.buckets().to_vec().iter().enumerate() {
            t.set(i, ready[b as usize], members[b as usize], better);
        }
        for min in [0u32, 8, 9, 16, 17, 24, 25, 48, 49, 80, 81] {
            let want = (0..8u32).filter(|&b| vram[b as usize] >= min && ready[b as usize]).min().unwrap_or(NONE);
            assert_eq!(t.best_from(min, better), want, "min {min}");
            let any = (0..8).any(|b| vram[b] >= min && members[b]);
            assert_eq!(t.any_from(min), any, "min {min}");
        }
        let empty = MinTree::new(Vec::new());
        assert_eq!(empty.best_from(0, better), NONE);
        assert!(!empty.any_from(0));
    }
}
