//! Checked arithmetic that names the failing line (`#[track_caller]`).
use crate::errors::PictorError;
use anchor_lang::prelude::*;

/// Checked operations returning [`PictorError::Overflow`].
pub trait SafeMath: Sized {
    /// `self + rhs`, or `Overflow`.
    fn safe_add(self, rhs: Self) -> Result<Self>;
    /// `self - rhs`, or `Overflow`.
    fn safe_sub(self, rhs: Self) -> Result<Self>;
}

macro_rules! impl_safe_math {
    ($($t:ty),*) => {$(
        impl SafeMath for $t {
            #[track_caller]
            fn safe_add(self, rhs: Self) -> Result<Self> {
                self.checked_add(rhs).ok_or_else(|| overflow())
            }
            #[track_caller]
            fn safe_sub(self, rhs: Self) -> Result<Self> {
                self.checked_sub(rhs).ok_or_else(|| overflow())
            }
        }
    )*};
}
impl_safe_math!(u16, u32, u64, i64, u128, i128);

#[track_caller]
fn overflow() -> Error {
    let loc = core::panic::Location::caller();
    msg!("overflow at {}:{}", loc.file(), loc.line());
    PictorError::Overflow.into()
}
