//! GPU classes (SPEC §10): the configuration's GPU tier table, whose tier
//! `i` is class `i`; a worker's class is the highest tier whose two
//! minimums its GPU meets.
use crate::error::DispatchError;

/// One class's minimums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassMin {
    /// Minimum VRAM, in GB.
    pub min_vram_gb: u32,
    /// Minimum hashpower, in the oracle's units.
    pub min_hashpower: u64,
}

/// The most classes a table may have: the configuration's own cap on GPU
/// tiers (`MAX_GPU_TIERS`, refused on-chain as `TooManyGpuTiers`).
pub const MAX_CLASSES: usize = 8;

/// A validated class table: at most [`MAX_CLASSES`] entries, not empty, the first class 0 GB and 0
/// hashpower, and neither minimum ever lower than the class before's (so a
/// GPU that meets a class meets every class below it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuClasses(Vec<ClassMin>);

impl GpuClasses {
    /// Validates `table` (entry `i` is class `i`).
    pub fn new(table: Vec<ClassMin>) -> Result<Self, DispatchError> {
        if table.len() > MAX_CLASSES {
            return Err(DispatchError::ClassTable(format!(
                "{} classes: at most {MAX_CLASSES} (the configuration's cap on GPU tiers)",
                table.len()
            )));
        }
        let first =
            table.first().ok_or_else(|| DispatchError::ClassTable("empty: class 0 is 0 GB, 0 hashpower".into()))?;
        if (first.min_vram_gb, first.min_hashpower) != (0, 0) {
            return Err(DispatchError::ClassTable(format!(
                "class 0 must be 0 GB and 0 hashpower, not {} GB and {}",
                first.min_vram_gb, first.min_hashpower
            )));
        }
        for (i, w) in table.windows(2).enumerate() {
            if w[1].min_vram_gb < w[0].min_vram_gb || w[1].min_hashpower < w[0].min_hashpower {
                return Err(DispatchError::ClassTable(format!(
                    "not ascending: class {} ({} GB, {}) is below class {} ({} GB, {})",
                    i + 1,
                    w[1].min_vram_gb,
                    w[1].min_hashpower,
                    i,
                    w[0].min_vram_gb,
                    w[0].min_hashpower
                )));
            }
        }
        Ok(GpuClasses(table))
    }

    /// SPEC §4's default tier table: 0, 16, 24 and 48 GB, no hashpower minimum.
    pub fn spec_default() -> Self {
        GpuClasses([0, 16, 24, 48].map(|v| ClassMin { min_vram_gb: v, min_hashpower: 0 }).to_vec())
    }

    /// How many classes there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never: a table has class 0 at least.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The classes' minimums, class 0 first.
    pub fn table(&self) -> &[ClassMin] {
        &self.0
    }

    /// The class of a GPU: the highest class whose two minimums it meets.
    pub fn class_of(&self, vram_gb: u32, hashpower: u64) -> usize {
        self.0.iter().rposition(|c| vram_gb >= c.min_vram_gb && hashpower >= c.min_hashpower).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[(u32, u64)]) -> Result<GpuClasses, DispatchError> {
        GpuClasses::new(rows.iter().map(|&(v, h)| ClassMin { min_vram_gb: v, min_hashpower: h }).collect())
    }

    #[test]
    fn a_gpu_gets_the_highest_class_whose_two_minimums_it_meets() {
        let t = table(&[(0, 0), (16, 100), (24, 100), (48, 500)]).unwrap();
        assert_eq!(t.class_of(12, 1_000), 0);
        assert_eq!(t.class_of(16, 99), 0, "VRAM alone is not enough");
        assert_eq!(t.class_of(16, 100), 1);
        assert_eq!(t.class_of(80, 499), 2);
        assert_eq!(t.class_of(80, 500), 3);
        assert_eq!(GpuClasses::spec_default().class_of(24, 0), 2);
    }

    #[test]
    fn a_table_must_start_at_zero_and_ascend() {
        assert!(matches!(table(&[]), Err(DispatchError::ClassTable(_))));
        assert!(matches!(table(&[(8, 0)]), Err(DispatchError::ClassTable(m)) if m.contains("class 0")));
        assert!(
            matches!(table(&[(0, 0), (24, 0), (16, 0)]), Err(DispatchError::ClassTable(m)) if m.contains("class 2"))
        );
        assert!(matches!(table(&[(0, 0), (16, 5), (24, 4)]), Err(DispatchError::ClassTable(_))));
        assert!(table(&[(0, 0), (16, 0), (16, 0), (24, 9)]).is_ok(), "equal neighbours ascend (not strictly)");
        let nine: Vec<(u32, u64)> = (0..9).map(|i| (i * 8, 0)).collect();
        assert!(matches!(table(&nine), Err(DispatchError::ClassTable(m)) if m.contains("9 classes: at most 8")));
        assert!(table(&nine[..8]).is_ok());
    }
}
