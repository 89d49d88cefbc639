//! Shapes: every form the `Shape` trait accepts, shape metadata, the constructors, and
//! reading non-contiguous (transposed, broadcast, strided) arrays.

use mlxrs::ops::{broadcast_to, reshape, slice, transpose, transpose_axes};
use mlxrs::{Array, Dtype, Error, Result, Shape};

fn dims_of(shape: impl Shape) -> Vec<i32> {
    shape.dims().expect("a valid shape").into_owned()
}

#[test]
fn every_shape_form_gives_the_same_dimensions() -> Result<()> {
    let v: Vec<i32> = vec![2, 3];
    let s: &[i32] = &v;
    let u: Vec<usize> = vec![2, 3];
    // Each form, through the trait and through an API that takes it.
    let forms: Vec<(&str, Vec<i32>, Array)> = vec![
        (
            "&[i32; N]",
            dims_of(&[2, 3]),
            Array::zeros(&[2, 3], Dtype::Float32)?,
        ),
        (
            "[i32; N]",
            dims_of([2, 3]),
            Array::zeros([2, 3], Dtype::Float32)?,
        ),
        ("&[i32]", dims_of(s), Array::zeros(s, Dtype::Float32)?),
        ("&&[i32]", dims_of(&s), Array::zeros(&s, Dtype::Float32)?),
        (
            "Vec<i32>",
            dims_of(v.clone()),
            Array::zeros(v.clone(), Dtype::Float32)?,
        ),
        ("&Vec<i32>", dims_of(&v), Array::zeros(&v, Dtype::Float32)?),
        (
            "[usize; N]",
            dims_of([2usize, 3]),
            Array::zeros([2usize, 3], Dtype::Float32)?,
        ),
        (
            "&[usize; N]",
            dims_of(&[2usize, 3]),
            Array::zeros(&[2usize, 3], Dtype::Float32)?,
        ),
        (
            "&[usize]",
            dims_of(&u[..]),
            Array::zeros(&u[..], Dtype::Float32)?,
        ),
        (
            "Vec<usize>",
            dims_of(u.clone()),
            Array::zeros(u.clone(), Dtype::Float32)?,
        ),
        (
            "(usize, usize)",
            dims_of((2usize, 3usize)),
            Array::zeros((2usize, 3usize), Dtype::Float32)?,
        ),
        (
            "&(usize, usize)",
            dims_of(&(2usize, 3usize)),
            Array::zeros(&(2usize, 3usize), Dtype::Float32)?,
        ),
    ];
    for (name, dims, a) in forms {
        assert_eq!(dims, [2, 3], "{name}");
        assert_eq!(a.shape(), &[2, 3], "{name}");
        assert_eq!(a.size(), 6, "{name}");
    }
    Ok(())
}

#[test]
fn tuples_of_one_to_six_usizes_and_the_unit_shape() -> Result<()> {
    assert_eq!(dims_of((4usize,)), [4]);
    assert_eq!(dims_of((1usize, 2usize, 3usize)), [1, 2, 3]);
    assert_eq!(dims_of((1usize, 2usize, 3usize, 4usize)), [1, 2, 3, 4]);
    assert_eq!(
        dims_of((1usize, 2usize, 1usize, 2usize, 1usize)),
        [1, 2, 1, 2, 1]
    );
    assert_eq!(
        dims_of((1usize, 1usize, 2usize, 1usize, 1usize, 3usize)),
        [1, 1, 2, 1, 1, 3]
    );
    assert_eq!(dims_of(()), [] as [i32; 0]);
    let scalar = Array::full((), 7i32)?;
    assert_eq!(scalar.ndim(), 0);
    assert_eq!(scalar.shape(), &[] as &[i32]);
    assert_eq!(scalar.size(), 1);
    assert_eq!(scalar.item::<i32>()?, 7);
    let from_data = Array::from_slice(&[1.5f32], ())?;
    assert_eq!(from_data.ndim(), 0);
    assert_eq!(from_data.item::<f32>()?, 1.5);
    Ok(())
}

#[test]
fn shape_ndim_size_and_strides() -> Result<()> {
    let data: Vec<i32> = (0..24).collect();
    let a = Array::from_slice(&data, &[2, 3, 4])?;
    assert_eq!(a.shape(), &[2, 3, 4]);
    assert_eq!(a.ndim(), 3);
    assert_eq!(a.size(), 24);
    assert_eq!(a.nbytes(), 96);
    assert_eq!(a.strides(), [12, 4, 1]);
    assert_eq!(a.dim(0)?, 2);
    assert_eq!(a.dim(-1)?, 4);
    assert_eq!(a.dim(-3)?, 2);
    let t = transpose(&a)?;
    t.eval()?;
    assert_eq!(t.shape(), &[4, 3, 2]);
    assert_eq!(t.strides(), [1, 4, 12]);
    let b = broadcast_to(&Array::from_slice(&[1i32, 2, 3], &[3])?, &[2, 3])?;
    b.eval()?;
    assert_eq!(b.strides(), [0, 1]);
    assert_eq!(Array::from(1.0f32).strides(), Vec::<usize>::new());
    Ok(())
}

#[test]
fn an_axis_out_of_range_is_an_invalid_argument() -> Result<()> {
    let a = Array::zeros(&[2, 3], Dtype::Int32)?;
    for axis in [2, -3] {
        match a.dim(axis) {
            Err(Error::InvalidArgument { name, reason }) => {
                assert_eq!(name, "axis");
                assert_eq!(
                    reason,
                    format!("{axis} is out of bounds for an array with 2 dimensions")
                );
            }
            other => panic!("dim({axis}): expected InvalidArgument, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn from_slice_with_the_wrong_element_count_is_a_shape_mismatch() {
    let cases: [(&[i32], usize); 4] = [(&[3], 2), (&[2, 2], 5), (&[], 2), (&[-1, 2], 2)];
    for (shape, n) in cases {
        let data = vec![0.5f32; n];
        match Array::from_slice(&data, shape) {
            Err(Error::ShapeMismatch { op, reason }) => {
                assert_eq!(op, "Array::from_slice");
                assert!(reason.contains(&format!("the data has {n}")), "{reason}");
            }
            other => panic!("shape {shape:?} with {n} values: got {other:?}"),
        }
    }
    let err = Array::from_slice(&[1u8, 2], &[3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Array::from_slice: shape [3] holds 3 elements, but the data has 2"
    );
}

#[test]
fn a_usize_dimension_beyond_i32_is_an_invalid_argument() {
    let big = i32::MAX as usize + 1;
    let check = |r: Result<Array>, what: &str| match r {
        Err(Error::InvalidArgument { name, reason }) => {
            assert_eq!(name, "shape", "{what}");
            assert!(reason.contains("2147483648"), "{what}: {reason}");
        }
        other => panic!("{what}: expected InvalidArgument, got {other:?}"),
    };
    check(Array::zeros([big], Dtype::Float32), "zeros([usize])");
    check(Array::ones(&[1, big][..], Dtype::Float32), "ones(&[usize])");
    check(Array::full((2usize, big), 1.0f32), "full(tuple)");
    check(
        Array::from_slice(&[1.0f32], vec![big]),
        "from_slice(Vec<usize>)",
    );
    check(reshape(&Array::from(1.0f32), (big, 1usize)), "reshape");
    check(broadcast_to(&Array::from(1.0f32), [big, 1]), "broadcast_to");
    // i32::MAX itself converts; the element count then fails on the Rust side.
    assert!(matches!(
        Array::from_slice(&[1.0f32], [i32::MAX as usize]),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn zeros_ones_and_full() -> Result<()> {
    let z = Array::zeros(&[2, 2], Dtype::Int32)?;
    assert_eq!((z.dtype(), z.to_vec::<i32>()?), (Dtype::Int32, vec![0; 4]));
    let o = Array::ones(&[3], Dtype::Float16)?;
    assert_eq!(o.to_vec::<half::f16>()?, vec![half::f16::ONE; 3]);
    let b = Array::ones(&[2], Dtype::Bool)?;
    assert_eq!(b.to_vec::<bool>()?, [true, true]);
    let f = Array::full(&[2, 3], -1.25f32)?;
    assert_eq!(f.dtype(), Dtype::Float32);
    assert_eq!(f.to_vec::<f32>()?, vec![-1.25; 6]);
    let fi = Array::full(&[2], i64::MIN)?;
    assert_eq!(fi.to_vec::<i64>()?, [i64::MIN; 2]);
    let empty = Array::zeros(&[2, 0], Dtype::Float32)?;
    assert_eq!((empty.size(), empty.ndim()), (0, 2));
    assert_eq!(empty.to_vec::<f32>()?, Vec::<f32>::new());
    assert_eq!(empty.as_slice::<f32>()?, &[] as &[f32]);
    Ok(())
}

#[test]
fn like_constructors_take_shape_and_dtype_from_their_argument() -> Result<()> {
    if crate::support::skip_on_gpu("float64") {
        return Ok(());
    }
    let like = Array::from_slice(&[5i32, 6, 7, 8, 9, 10], &[3, 2])?;
    let z = Array::zeros_like(&like)?;
    assert_eq!((z.shape(), z.dtype()), (&[3, 2][..], Dtype::Int32));
    assert_eq!(z.to_vec::<i32>()?, [0; 6]);
    let o = Array::ones_like(&like)?;
    assert_eq!((o.shape(), o.dtype()), (&[3, 2][..], Dtype::Int32));
    assert_eq!(o.to_vec::<i32>()?, [1; 6]);
    // full_like keeps `like`'s dtype: 7.9 becomes the int32 7 (truncation, as astype).
    let f = Array::full_like(&like, 7.9f32)?;
    assert_eq!((f.shape(), f.dtype()), (&[3, 2][..], Dtype::Int32));
    assert_eq!(f.to_vec::<i32>()?, [7; 6]);
    let g = Array::full_like(&Array::zeros(&[2], Dtype::Float64)?, 0.1f32)?;
    assert_eq!(g.dtype(), Dtype::Float64);
    assert_eq!(g.to_vec::<f64>()?, [f64::from(0.1f32); 2]);
    Ok(())
}

#[test]
fn arange_and_linspace() -> Result<()> {
    if crate::support::skip_on_gpu("float64") {
        return Ok(());
    }
    let a = Array::arange(0.0, 1.0, 0.25, Dtype::Float32)?;
    assert_eq!(a.to_vec::<f32>()?, [0.0, 0.25, 0.5, 0.75]);
    assert_eq!(
        Array::arange(0.0, 5.0, 2.0, Dtype::Int32)?.to_vec::<i32>()?,
        [0, 2, 4]
    );
    assert_eq!(
        Array::arange(5.0, 0.0, -2.0, Dtype::Int64)?.to_vec::<i64>()?,
        [5, 3, 1]
    );
    assert_eq!(Array::arange(3.0, 3.0, 1.0, Dtype::Float32)?.size(), 0);
    let l = Array::linspace(0.0, 1.0, 5, Dtype::Float32)?;
    assert_eq!(l.to_vec::<f32>()?, [0.0, 0.25, 0.5, 0.75, 1.0]);
    let l = Array::linspace(-1.0, 1.0, 3, Dtype::Float64)?;
    assert_eq!(l.to_vec::<f64>()?, [-1.0, 0.0, 1.0]);
    Ok(())
}

#[test]
fn eye_and_identity() -> Result<()> {
    let e = Array::eye(3, 4, 1, Dtype::Float32)?;
    assert_eq!(e.shape(), &[3, 4]);
    #[rustfmt::skip]
    assert_eq!(e.to_vec::<f32>()?, [
        0.0, 1.0, 0.0, 0.0,
        0.0, 0.0, 1.0, 0.0,
        0.0, 0.0, 0.0, 1.0,
    ]);
    let below = Array::eye(3, 3, -1, Dtype::Int32)?;
    assert_eq!(below.to_vec::<i32>()?, [0, 0, 0, 1, 0, 0, 0, 1, 0]);
    let i = Array::identity(3, Dtype::Int32)?;
    assert_eq!(i.shape(), &[3, 3]);
    assert_eq!(i.to_vec::<i32>()?, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    Ok(())
}

#[test]
fn to_vec_of_a_transposed_array_is_row_major() -> Result<()> {
    let a = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3])?;
    let t = transpose(&a)?;
    assert_eq!(t.shape(), &[3, 2]);
    assert_eq!(t.to_vec::<i32>()?, [1, 4, 2, 5, 3, 6]);
    // The bytes as well, in the same order.
    let bytes = t.as_bytes()?;
    let from_bytes: Vec<i32> = bytes
        .chunks_exact(4)
        .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(from_bytes, [1, 4, 2, 5, 3, 6]);
    // A 3-d permutation: out[i][j][k] = a[j][k][i].
    let data: Vec<f32> = (0..8).map(|x| x as f32).collect();
    let p = transpose_axes(&Array::from_slice(&data, &[2, 2, 2])?, &[2, 0, 1])?;
    assert_eq!(p.to_vec::<f32>()?, [0.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0]);
    Ok(())
}

#[test]
fn to_vec_of_broadcast_and_strided_arrays_is_row_major() -> Result<()> {
    if crate::support::skip_on_gpu("float64") {
        return Ok(());
    }
    let b = broadcast_to(&Array::from_slice(&[1u16, 2, 3], &[3])?, &[2, 3])?;
    assert_eq!(b.to_vec::<u16>()?, [1, 2, 3, 1, 2, 3]);
    let col = broadcast_to(&Array::from_slice(&[7i8, 8], &[2, 1])?, &[2, 3])?;
    assert_eq!(col.to_vec::<i8>()?, [7, 7, 7, 8, 8, 8]);
    let s = slice(
        &Array::from_slice(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[6])?,
        &[0],
        &[6],
        &[2],
    )?;
    assert_eq!(s.to_vec::<f64>()?, [1.0, 3.0, 5.0]);
    Ok(())
}

#[test]
fn as_slice_needs_contiguous_data() -> Result<()> {
    let a = Array::from_slice(&[1i32, 2, 3, 4, 5, 6, 7, 8, 9], &[3, 3])?;
    assert_eq!(a.as_slice::<i32>()?, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A row of a matrix is contiguous (with an offset): the view starts at that row.
    let row = slice(&a, &[1, 0], &[2, 3], &[1, 1])?;
    assert_eq!(row.as_slice::<i32>()?, [4, 5, 6]);
    for (what, view) in [
        ("transposed", transpose(&a)?),
        (
            "broadcast",
            broadcast_to(&Array::from_slice(&[1i32, 2, 3], &[3])?, &[2, 3])?,
        ),
        ("column", slice(&a, &[0, 1], &[3, 2], &[1, 1])?),
    ] {
        match view.as_slice::<i32>() {
            Err(Error::InvalidArgument { name, reason }) => {
                assert_eq!(name, "self", "{what}");
                assert!(reason.contains("row-contiguous"), "{what}: {reason}");
            }
            other => panic!("{what}: expected InvalidArgument, got {other:?}"),
        }
        // to_vec still works on the same view.
        assert_eq!(view.to_vec::<i32>()?.len(), view.size(), "{what}");
    }
    // A contiguous copy can be borrowed.
    let dense = mlxrs::ops::contiguous(&transpose(&a)?, false)?;
    assert_eq!(dense.as_slice::<i32>()?, [1, 4, 7, 2, 5, 8, 3, 6, 9]);
    Ok(())
}

#[test]
fn empty_data_and_zero_sized_dimensions() -> Result<()> {
    for shape in [vec![0], vec![2, 0, 3], vec![0, 0]] {
        let a = Array::from_slice::<f32>(&[], shape.clone())?;
        assert_eq!(a.shape(), &shape[..]);
        assert_eq!((a.size(), a.nbytes()), (0, 0));
        assert_eq!(a.to_vec::<f32>()?, Vec::<f32>::new());
        assert_eq!(a.as_slice::<f32>()?, &[] as &[f32]);
        assert!(matches!(
            a.item::<f32>(),
            Err(Error::ShapeMismatch {
                op: "Array::item",
                ..
            })
        ));
    }
    Ok(())
}

#[test]
fn views_read_their_own_elements() -> Result<()> {
    let a = Array::from_slice(&[10i64, 11, 12, 13, 14, 15], &[2, 3])?;
    // One element in the middle of the buffer: item reads it, not the buffer's start.
    let one = slice(&a, &[1, 1], &[2, 2], &[1, 1])?;
    assert_eq!(one.shape(), &[1, 1]);
    assert_eq!(one.item::<i64>()?, 14);
    assert_eq!(one.as_slice::<i64>()?, [14]);
    // The last row, contiguous at an offset.
    let row = slice(&a, &[1, 0], &[2, 3], &[1, 1])?;
    assert_eq!(row.to_vec::<i64>()?, [13, 14, 15]);
    assert_eq!(row.as_bytes()?.len(), 24);
    // A reversed column (negative step).
    let rev = slice(&a, &[1, 2], &[-3, 3], &[-1, 1])?;
    assert_eq!(rev.to_vec::<i64>()?, [15, 12]);
    Ok(())
}

#[test]
fn reshape_keeps_row_major_order() -> Result<()> {
    let a = Array::arange(0.0, 6.0, 1.0, Dtype::Int32)?;
    let r = reshape(&a, &[3, -1])?;
    assert_eq!(r.shape(), &[3, 2]);
    assert_eq!(r.to_vec::<i32>()?, [0, 1, 2, 3, 4, 5]);
    let r = reshape(&transpose(&reshape(&a, (2usize, 3usize))?)?, vec![6])?;
    assert_eq!(r.to_vec::<i32>()?, [0, 3, 1, 4, 2, 5]);
    Ok(())
}
