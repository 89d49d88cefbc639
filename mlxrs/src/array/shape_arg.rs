//! [`Shape`]: the one trait through which every API takes a shape.

use std::borrow::Cow;

use crate::{Error, Result};

/// Anything usable as an array shape: `&[i32; N]`, `&[i32]`, `&&[i32]`, `Vec<i32>`,
/// `[usize; N]`/`&[usize]`, and tuples of `usize` such as `&(2usize, 3usize)`.
///
/// ```
/// use mlxrs::{Array, Dtype};
/// let dims = vec![2i32, 3];
/// for a in [
///     Array::zeros(&[2, 3], Dtype::Float32)?,
///     Array::zeros(&dims[..], Dtype::Float32)?,
///     Array::zeros(&&dims[..], Dtype::Float32)?,
///     Array::zeros(dims.clone(), Dtype::Float32)?,
///     Array::zeros(&(2usize, 3usize), Dtype::Float32)?,
/// ] {
///     assert_eq!(a.shape(), &[2, 3]);
/// }
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub trait Shape {
    /// The dimensions as MLX's `i32`s.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a `usize` dimension does not fit in `i32`.
    fn dims(&self) -> Result<Cow<'_, [i32]>>;
}

fn from_usizes(dims: &[usize]) -> Result<Cow<'static, [i32]>> {
    dims.iter()
        .map(|&d| {
            i32::try_from(d).map_err(|_| {
                Error::invalid(
                    "shape",
                    format!(
                        "dimension {d} does not fit in i32 (MLX's limit is {})",
                        i32::MAX
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Cow::Owned)
}

impl Shape for [i32] {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        Ok(Cow::Borrowed(self))
    }
}

impl<const N: usize> Shape for [i32; N] {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        Ok(Cow::Borrowed(self))
    }
}

impl Shape for Vec<i32> {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        Ok(Cow::Borrowed(self))
    }
}

impl Shape for [usize] {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        from_usizes(self)
    }
}

impl<const N: usize> Shape for [usize; N] {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        from_usizes(self)
    }
}

impl Shape for Vec<usize> {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        from_usizes(self)
    }
}

impl Shape for () {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        Ok(Cow::Borrowed(&[]))
    }
}

impl<T: Shape + ?Sized> Shape for &T {
    fn dims(&self) -> Result<Cow<'_, [i32]>> {
        (**self).dims()
    }
}

macro_rules! tuple_shape {
    ($($n:ident),+) => {
        impl Shape for ($(tuple_shape!(@usize $n),)+) {
            fn dims(&self) -> Result<Cow<'_, [i32]>> {
                let ($($n,)+) = *self;
                from_usizes(&[$($n),+])
            }
        }
    };
    (@usize $n:ident) => { usize };
}

tuple_shape!(a);
tuple_shape!(a, b);
tuple_shape!(a, b, c);
tuple_shape!(a, b, c, d);
tuple_shape!(a, b, c, d, e);
tuple_shape!(a, b, c, d, e, f);
