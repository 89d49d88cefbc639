//! Optimizers: Python MLX's `mlx.optimizers`.
//!
//! Optimizers update named parameter maps ([`ParamMap`](crate::nn::ParamMap)) with
//! Python's names, defaults and update rules; their state is a named map too.
