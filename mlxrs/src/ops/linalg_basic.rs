//! Matrix products.

use super::binary;

binary! {
    /// Matrix product with NumPy's broadcasting rules for batch dimensions.
    ///
    /// ```
    /// use mlxrs::{Array, ops::matmul};
    /// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    /// let i = Array::from_slice(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2]).unwrap();
    /// assert_eq!(matmul(&a, &i).unwrap().to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
    /// // Shapes are checked when the op is built:
    /// let err = matmul(&a, &Array::zeros(&[3, 2], mlxrs::Dtype::Float32).unwrap()).unwrap_err();
    /// assert!(err.to_string().starts_with("[matmul]"));
    /// ```
    matmul => mlx_matmul;
    /// Inner product over the last axes (the dot product for vectors).
    inner => mlx_inner;
    /// Outer product of two vectors (flattened).
    outer => mlx_outer;
    /// Kronecker product.
    kron => mlx_kron;
}
