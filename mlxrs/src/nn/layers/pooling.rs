//! `MaxPool1d`, `MaxPool2d`, `AvgPool1d`, `AvgPool2d` (mlx/nn/layers/pooling.py).

use super::{check_input, positive};
use crate::nn::{Module, UnaryLayer};
use crate::ops::{self, PadMode};
use crate::{Array, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Max,
    Avg,
}

/// The shared pooling of Python's `_Pool`: pad, take sliding windows, reduce them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pool {
    layer: &'static str,
    kind: Kind,
    kernel_size: Vec<i32>,
    stride: Vec<i32>,
    padding: Vec<i32>,
}

impl Pool {
    fn new(
        layer: &'static str,
        kind: Kind,
        kernel_size: Vec<i32>,
        stride: Option<Vec<i32>>,
        padding: Vec<i32>,
    ) -> Result<Pool> {
        let stride = stride.unwrap_or_else(|| kernel_size.clone());
        for &k in &kernel_size {
            positive("kernel_size", layer, k.into())?;
        }
        for &s in &stride {
            positive("stride", layer, s.into())?;
        }
        if let Some(&p) = padding.iter().find(|&&p| p < 0) {
            return Err(crate::Error::invalid(
                "padding",
                format!("{layer}: must be non-negative, got {p}"),
            ));
        }
        Ok(Pool {
            layer,
            kind,
            kernel_size,
            stride,
            padding,
        })
    }

    fn apply(&self, x: &Array) -> Result<Array> {
        let n = self.kernel_size.len();
        check_input(self.layer, x, Some(&[n + 2]), None)?;
        let mut x = x.clone();
        if self.padding.iter().any(|&p| p > 0) {
            let mut widths = vec![(0, 0)];
            widths.extend(self.padding.iter().map(|&p| (p, p)));
            widths.push((0, 0));
            let value = match self.kind {
                Kind::Max => Array::from(f32::NEG_INFINITY).astype(x.dtype())?,
                Kind::Avg => Array::from(0.0f32).astype(x.dtype())?,
            };
            x = ops::pad(&x, &widths, PadMode::Constant, Some(&value))?;
        }
        let spatial = &x.shape()[1..=n];
        if spatial.iter().zip(&self.kernel_size).any(|(&s, &k)| s < k) {
            return Err(crate::Error::ShapeMismatch {
                op: self.layer,
                reason: format!(
                    "the kernel size {:?} is larger than the (padded) input's spatial shape {:?}",
                    self.kernel_size, spatial
                ),
            });
        }
        let windows = sliding_windows(&x, &self.kernel_size, &self.stride)?;
        let axes: Vec<i32> = (0..n as i32).map(|i| -(n as i32) - 1 + i).collect();
        match self.kind {
            Kind::Max => ops::max_axes(&windows, &axes, false),
            Kind::Avg => ops::mean_axes(&windows, &axes, false),
        }
    }
}

/// `[N, *spatial, C]` → `[N, *out, *window, C]`, as Python's `_sliding_windows`.
fn sliding_windows(x: &Array, window: &[i32], strides: &[i32]) -> Result<Array> {
    let shape = x.shape().to_vec();
    let spatial = &shape[1..shape.len() - 1];
    let non_overlapping = spatial
        .iter()
        .zip(window)
        .zip(strides)
        .all(|((&s, &w), &st)| w == st && s % w == 0);
    if non_overlapping {
        let mut new_shape = vec![shape[0]];
        for (&s, &w) in spatial.iter().zip(window) {
            new_shape.push(s / w);
            new_shape.push(w);
        }
        new_shape.push(shape[shape.len() - 1]);
        let last = new_shape.len() as i32 - 1;
        let mut order = vec![0];
        order.extend((1..last).step_by(2));
        order.extend((2..last).step_by(2));
        order.push(last);
        return ops::transpose_axes(&ops::reshape(x, &new_shape)?, &order);
    }
    // Row-major strides of x (elements).
    let mut st = vec![1i64; shape.len()];
    for i in (0..shape.len() - 1).rev() {
        st[i] = st[i + 1] * i64::from(shape[i + 1]);
    }
    let mut final_shape = vec![shape[0]];
    final_shape.extend(
        spatial
            .iter()
            .zip(window)
            .zip(strides)
            .map(|((&s, &w), &stp)| (s - w) / stp + 1),
    );
    final_shape.extend_from_slice(window);
    final_shape.push(shape[shape.len() - 1]);
    let inner = &st[1..st.len() - 1];
    let mut final_strides = vec![st[0]];
    final_strides.extend(
        inner
            .iter()
            .zip(strides)
            .map(|(&s, &stp)| s * i64::from(stp)),
    );
    final_strides.extend_from_slice(inner);
    final_strides.push(st[st.len() - 1]);
    ops::as_strided(x, &final_shape, &final_strides, 0)
}

macro_rules! pool_layer {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $n:literal, $ty:ty, $to_vec:expr, $ex_in:expr, $ex_out:expr) => {
        $(#[$doc])*
        ///
        /// # Examples
        /// ```
        #[doc = concat!("use mlxrs::nn::{", stringify!($name), ", UnaryLayer};")]
        #[doc = concat!("let pool = ", stringify!($name), "::new(", $ex_in, ")?;")]
        #[doc = concat!("let x = mlxrs::Array::ones(&", $ex_out, ", mlxrs::Dtype::Float32)?;")]
        /// assert_eq!(pool.forward(&x)?.shape()[1], 2);
        /// # Ok::<(), mlxrs::Error>(())
        /// ```
        #[derive(Debug, Clone, Module)]
        pub struct $name {
            #[module(skip)]
            pool: Pool,
            #[module(training)]
            training: bool,
        }

        impl $name {
            /// A new layer: `stride` defaults to `kernel_size`, `padding` to 0 (Python's
            /// defaults).
            ///
            /// # Errors
            /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a kernel size or
            /// stride that is not positive, or a negative padding.
            pub fn new(kernel_size: $ty, stride: Option<$ty>, padding: $ty) -> Result<$name> {
                let v = $to_vec;
                Ok($name {
                    pool: Pool::new(stringify!($name), $kind, v(kernel_size), stride.map(v), v(padding))?,
                    training: true,
                })
            }
        }

        impl UnaryLayer for $name {
            fn forward(&self, x: &Array) -> Result<Array> {
                self.pool.apply(x)
            }
        }
    };
}

pool_layer!(
    /// Max pooling over `[N, L, C]` inputs (Python: `nn.MaxPool1d(kernel_size,
    /// stride=None, padding=0)`); padding is `-inf`.
    MaxPool1d, Kind::Max, 1, i32, |k: i32| vec![k], "2, None, 0", "[1, 4, 3]"
);
pool_layer!(
    /// Average pooling over `[N, L, C]` inputs (Python: `nn.AvgPool1d(kernel_size,
    /// stride=None, padding=0)`); padding is 0 and counts in the average.
    AvgPool1d, Kind::Avg, 1, i32, |k: i32| vec![k], "2, None, 0", "[1, 4, 3]"
);
pool_layer!(
    /// Max pooling over `[N, H, W, C]` inputs (Python: `nn.MaxPool2d(kernel_size,
    /// stride=None, padding=0)`); padding is `-inf`.
    MaxPool2d, Kind::Max, 2, (i32, i32), |k: (i32, i32)| vec![k.0, k.1], "(2, 2), None, (0, 0)", "[1, 4, 4, 3]"
);
pool_layer!(
    /// Average pooling over `[N, H, W, C]` inputs (Python: `nn.AvgPool2d(kernel_size,
    /// stride=None, padding=0)`); padding is 0 and counts in the average.
    AvgPool2d, Kind::Avg, 2, (i32, i32), |k: (i32, i32)| vec![k.0, k.1], "(2, 2), None, (0, 0)", "[1, 4, 4, 3]"
);
