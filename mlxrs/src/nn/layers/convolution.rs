//! `Conv1d` and `Conv2d` (mlx/nn/layers/convolution.py).

use super::{check_input, positive, uniform};
use crate::nn::{Module, Param, UnaryLayer};
use crate::ops::{self, Conv1dOptions, Conv2dOptions};
use crate::{Array, Dtype, Error, Result};

fn check_groups(layer: &str, in_channels: i32, groups: i32) -> Result<()> {
    positive("groups", layer, groups.into())?;
    if in_channels % groups != 0 {
        return Err(Error::invalid(
            "groups",
            format!(
                "{layer}: the number of input channels ({in_channels}) must be divisible by the number of groups ({groups})"
            ),
        ));
    }
    Ok(())
}

/// A 1-d convolution over `[N, L, C_in]` inputs (Python: `nn.Conv1d(in_channels,
/// out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)`):
/// `weight` `[C_out, kernel_size, C_in / groups]` drawn from
/// `U(-1/√(C_in·kernel_size), 1/√(C_in·kernel_size))`, `bias` `[C_out]` zeros.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Conv1d, UnaryLayer};
/// let conv = Conv1d::new(3, 8, 3)?.padding(1);
/// let y = conv.forward(&mlxrs::Array::ones(&[2, 10, 3], mlxrs::Dtype::Float32)?)?;
/// assert_eq!(y.shape(), &[2, 10, 8]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct Conv1d {
    /// `[C_out, kernel_size, C_in / groups]`.
    pub weight: Param,
    /// `[C_out]`, when the layer has a bias.
    pub bias: Option<Param>,
    /// The convolution's stride, padding, dilation and groups.
    pub options: Conv1dOptions,
    #[module(training)]
    training: bool,
}

impl Conv1d {
    /// A new layer with a bias, stride 1, no padding, dilation 1 and one group.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a size that is not positive.
    pub fn new(in_channels: i32, out_channels: i32, kernel_size: i32) -> Result<Conv1d> {
        Conv1d::with_options(
            in_channels,
            out_channels,
            kernel_size,
            Conv1dOptions::default(),
            true,
        )
    }

    /// A new layer with every option (Python's keyword arguments).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a size that is not positive, or `in_channels` not
    /// divisible by `groups`.
    pub fn with_options(
        in_channels: i32,
        out_channels: i32,
        kernel_size: i32,
        options: Conv1dOptions,
        bias: bool,
    ) -> Result<Conv1d> {
        for (n, v) in [
            ("in_channels", in_channels),
            ("out_channels", out_channels),
            ("kernel_size", kernel_size),
        ] {
            positive(n, "Conv1d", v.into())?;
        }
        check_groups("Conv1d", in_channels, options.groups)?;
        let scale = (1.0 / f64::from(in_channels * kernel_size)).sqrt() as f32;
        let weight = uniform(
            scale,
            &[out_channels, kernel_size, in_channels / options.groups],
        )?;
        let bias = if bias {
            Some(Param::new(Array::zeros(&[out_channels], Dtype::Float32)?))
        } else {
            None
        };
        Ok(Conv1d {
            weight: Param::new(weight),
            bias,
            options,
            training: true,
        })
    }

    /// The same layer with `padding` (builder style).
    #[must_use]
    pub fn padding(mut self, padding: i32) -> Conv1d {
        self.options.padding = padding;
        self
    }

    /// The same layer with `stride` (builder style).
    #[must_use]
    pub fn stride(mut self, stride: i32) -> Conv1d {
        self.options.stride = stride;
        self
    }
}

impl UnaryLayer for Conv1d {
    fn forward(&self, x: &Array) -> Result<Array> {
        let c_in = self.weight.shape()[2] * self.options.groups;
        check_input("Conv1d", x, Some(&[3]), Some(c_in))?;
        let y = ops::conv1d(x, &self.weight, self.options)?;
        match &self.bias {
            Some(b) => ops::add(&y, b),
            None => Ok(y),
        }
    }
}

/// A 2-d convolution over `[N, H, W, C_in]` inputs (Python: `nn.Conv2d(in_channels,
/// out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)`):
/// `weight` `[C_out, kH, kW, C_in / groups]` drawn from `U(-1/√(C_in·kH·kW), ..)`,
/// `bias` `[C_out]` zeros.
///
/// # Examples
/// ```
/// use mlxrs::nn::{Conv2d, UnaryLayer};
/// let conv = Conv2d::new(3, 4, (3, 3))?;
/// let y = conv.forward(&mlxrs::Array::ones(&[1, 8, 8, 3], mlxrs::Dtype::Float32)?)?;
/// assert_eq!(y.shape(), &[1, 6, 6, 4]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Debug, Clone, Module)]
pub struct Conv2d {
    /// `[C_out, kH, kW, C_in / groups]`.
    pub weight: Param,
    /// `[C_out]`, when the layer has a bias.
    pub bias: Option<Param>,
    /// The convolution's stride, padding, dilation and groups.
    pub options: Conv2dOptions,
    #[module(training)]
    training: bool,
}

impl Conv2d {
    /// A new layer with a bias, stride 1, no padding, dilation 1 and one group.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a size that is not positive.
    pub fn new(in_channels: i32, out_channels: i32, kernel_size: (i32, i32)) -> Result<Conv2d> {
        Conv2d::with_options(
            in_channels,
            out_channels,
            kernel_size,
            Conv2dOptions::default(),
            true,
        )
    }

    /// A new layer with every option (Python's keyword arguments).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a size that is not positive, or `in_channels` not
    /// divisible by `groups`.
    pub fn with_options(
        in_channels: i32,
        out_channels: i32,
        kernel_size: (i32, i32),
        options: Conv2dOptions,
        bias: bool,
    ) -> Result<Conv2d> {
        for (n, v) in [
            ("in_channels", in_channels),
            ("out_channels", out_channels),
            ("kernel_size", kernel_size.0),
            ("kernel_size", kernel_size.1),
        ] {
            positive(n, "Conv2d", v.into())?;
        }
        check_groups("Conv2d", in_channels, options.groups)?;
        let scale = (1.0 / f64::from(in_channels * kernel_size.0 * kernel_size.1)).sqrt() as f32;
        let weight = uniform(
            scale,
            &[
                out_channels,
                kernel_size.0,
                kernel_size.1,
                in_channels / options.groups,
            ],
        )?;
        let bias = if bias {
            Some(Param::new(Array::zeros(&[out_channels], Dtype::Float32)?))
        } else {
            None
        };
        Ok(Conv2d {
            weight: Param::new(weight),
            bias,
            options,
            training: true,
        })
    }

    /// The same layer with `padding` (builder style).
    #[must_use]
    pub fn padding(mut self, padding: (i32, i32)) -> Conv2d {
        self.options.padding = padding;
        self
    }

    /// The same layer with `stride` (builder style).
    #[must_use]
    pub fn stride(mut self, stride: (i32, i32)) -> Conv2d {
        self.options.stride = stride;
        self
    }
}

impl UnaryLayer for Conv2d {
    fn forward(&self, x: &Array) -> Result<Array> {
        let c_in = self.weight.shape()[3] * self.options.groups;
        check_input("Conv2d", x, Some(&[4]), Some(c_in))?;
        let y = ops::conv2d(x, &self.weight, self.options)?;
        match &self.bias {
            Some(b) => ops::add(&y, b),
            None => Ok(y),
        }
    }
}
