//! Ops where mlxrs guards against MLX 0.32 behaviour (values checked by hand).

use mlxrs::ops::{PadMode, divmod, floor_divide, pad_axes, remainder, sum};
use mlxrs::transforms::grad;
use mlxrs::{Array, Result};

#[test]
fn integer_division_by_zero_gives_zero_instead_of_killing_the_process() -> Result<()> {
    let a = Array::from_slice(&[7i32, -7, 5, 9], &[4])?;
    let b = Array::from_slice(&[2i32, 2, 0, -4], &[4])?;
    // MLX 0.32's integer floor_divide truncates toward zero (Python MLX prints the same
    // [3, -3, 5, -2] for divisors [2, 2, 1, -4]); divmod floors.
    assert_eq!(floor_divide(&a, &b)?.to_vec::<i32>()?, [3, -3, 0, -2]);
    assert_eq!(remainder(&a, &b)?.to_vec::<i32>()?, [1, 1, 0, -3]);
    let (q, r) = divmod(&a, &b)?;
    assert_eq!(
        (q.to_vec::<i32>()?, r.to_vec::<i32>()?),
        (vec![3, -4, 0, -3], vec![1, 1, 0, -3])
    );
    // operators use the same path
    assert_eq!((&a % &b)?.to_vec::<i32>()?, [1, 1, 0, -3]);
    // unsigned and broadcast zero
    let u = Array::from_slice(&[5u8, 6], &[2])?;
    assert_eq!(floor_divide(&u, &Array::from(0u8))?.to_vec::<u8>()?, [0, 0]);
    // floats keep IEEE semantics
    let f = remainder(&Array::from(1.0f32), &Array::from(0.0f32))?.item::<f32>()?;
    assert!(f.is_nan());
    Ok(())
}

#[test]
fn pad_axes_on_a_subset_of_axes_pads_only_those() -> Result<()> {
    // (2, 3) padded on axis 1 only, edge mode: each row repeats its end values.
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
    let p = pad_axes(&a, &[1], &[1], &[2], &Array::from(0.0f32), PadMode::Edge)?;
    assert_eq!(p.shape(), &[2, 6]);
    assert_eq!(
        p.to_vec::<f32>()?,
        [1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 6.0, 6.0, 6.0]
    );
    // negative axis, constant mode, on a 3-d array
    let z = Array::zeros(&[3, 4, 5], mlxrs::Dtype::Float32)?;
    let q = pad_axes(
        &z,
        &[-2],
        &[2],
        &[2],
        &Array::from(1.0f32),
        PadMode::Constant,
    )?;
    assert_eq!(q.shape(), &[3, 8, 5]);
    assert_eq!(sum(&q, false)?.item::<f32>()?, (3 * 4 * 5) as f32);
    // the gradient has the input's shape: d/dx sum(pad(x)) counts each element's copies
    let g = grad(
        |xs: &[Array]| {
            Ok(vec![sum(
                &pad_axes(
                    &xs[0],
                    &[1],
                    &[1],
                    &[1],
                    &Array::from(0.0f32),
                    PadMode::Edge,
                )?,
                false,
            )?])
        },
        &[0],
    )?;
    let d = g(&[a])?;
    assert_eq!(d[0].shape(), &[2, 3]);
    assert_eq!(d[0].to_vec::<f32>()?, [2.0, 1.0, 2.0, 2.0, 1.0, 2.0]);
    // bad input is an Err naming the op
    let err = pad_axes(
        &z,
        &[5],
        &[1],
        &[1],
        &Array::from(0.0f32),
        PadMode::Constant,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("pad_axes: axis 5 is out of bounds"),
        "{err}"
    );
    Ok(())
}

#[test]
fn rust_scalars_combine_with_arrays_as_python_scalars_do() -> Result<()> {
    if crate::support::skip_on_gpu("float64") {
        return Ok(());
    }
    use half::f16;
    use mlxrs::Dtype;
    // integer array + integer scalar stays integer (Python: int32)
    let i = Array::from_slice(&[1i32, 2, 3], &[3])?;
    let r = (&i + 1)?;
    assert_eq!(
        (r.dtype(), r.to_vec::<i32>()?),
        (Dtype::Int32, vec![2, 3, 4])
    );
    let r = (10 - &i)?;
    assert_eq!(r.to_vec::<i32>()?, [9, 8, 7]);
    // integer array * float scalar becomes float32
    let r = (&i * 0.5)?;
    assert_eq!(
        (r.dtype(), r.to_vec::<f32>()?),
        (Dtype::Float32, vec![0.5, 1.0, 1.5])
    );
    // half array keeps its dtype with any scalar
    let h = Array::from_slice(&[f16::from_f32(1.5), f16::from_f32(-2.0)], &[2])?;
    for r in [(&h * 2.0)?, (&h * 2)?] {
        assert_eq!(r.dtype(), Dtype::Float16);
        assert_eq!(
            r.to_vec::<f16>()?,
            [f16::from_f32(3.0), f16::from_f32(-4.0)]
        );
    }
    // float64 arrays stay float64
    let d = Array::from_slice(&[1.0f64], &[1])?;
    assert_eq!((&d + 0.5)?.to_vec::<f64>()?, [1.5]);
    // shape errors come back as MLX's message
    let err = (&i + &Array::zeros(&[2], Dtype::Int32)?).unwrap_err();
    assert!(err.to_string().starts_with("[broadcast_shapes]"), "{err}");
    Ok(())
}

#[test]
fn comparison_and_binary_methods_take_scalars_like_the_operators() -> Result<()> {
    use mlxrs::Dtype;
    let i = Array::from_slice(&[1i32, 5, 3], &[3])?;
    assert_eq!(i.gt(2)?.to_vec::<bool>()?, [false, true, true]);
    assert_eq!(i.le(3.0)?.to_vec::<bool>()?, [true, false, true]);
    assert_eq!(i.eq(5)?.to_vec::<bool>()?, [false, true, false]);
    assert_eq!(i.ne(&i)?.to_vec::<bool>()?, [false, false, false]);
    // an integer scalar keeps the array's integer dtype; a float one promotes as `+` does
    let m = i.maximum(4)?;
    assert_eq!(
        (m.dtype(), m.to_vec::<i32>()?),
        (Dtype::Int32, vec![4, 5, 4])
    );
    let p = i.power(0.5)?;
    assert_eq!(p.dtype(), Dtype::Float32);
    let expect = [1f32, 5f32.sqrt(), 3f32.sqrt()];
    for (got, want) in p.to_vec::<f32>()?.iter().zip(expect) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    Ok(())
}

#[test]
fn ops_transforms_and_memory_are_flat_at_the_crate_root() -> Result<()> {
    // As in Python's `mlx.core`: `mx.add`, `mx.grad`, `mx.get_peak_memory`.
    let x = Array::from_slice(&[1.0f32, -2.0], &[2])?;
    let y = mlxrs::add(&x, &x)?;
    assert_eq!(y.to_vec::<f32>()?, [2.0, -4.0]);
    let g = mlxrs::grad(
        |a: &[Array]| Ok(vec![mlxrs::sum(&mlxrs::square(&a[0])?, false)?]),
        &[0],
    )?;
    assert_eq!(g(&[x])?[0].to_vec::<f32>()?, [2.0, -4.0]);
    mlxrs::eval(&[&y])?;
    assert!(mlxrs::get_peak_memory()? >= mlxrs::get_active_memory()?);
    assert_eq!(mlxrs::get_peak_memory()?, mlxrs::memory::peak_memory()?);
    Ok(())
}

#[test]
fn depends_without_inputs_is_an_error_not_a_crash() -> Result<()> {
    // MLX 0.32.2 segfaults here (Python's `mx.depends([], [a])` too).
    let a = Array::from(1.0f32);
    match mlxrs::ops::depends(&[], std::slice::from_ref(&a)) {
        Err(mlxrs::Error::EmptyInput(e)) => assert_eq!(e.context(), "depends: inputs"),
        other => panic!("expected EmptyInput, got {other:?}"),
    }
    // No dependencies is fine: the inputs come back.
    let out = mlxrs::ops::depends(std::slice::from_ref(&a), &[])?;
    assert_eq!(out[0].item::<f32>()?, 1.0);
    Ok(())
}

#[test]
fn sorts_scans_lu_ops_and_permutations_of_empty_arrays_are_empty_not_a_crash() -> Result<()> {
    if crate::support::skip_on_gpu("lu and the solvers: MLX runs them on the CPU only") {
        return Ok(());
    }
    // MLX 0.32.2 kills the process with SIGFPE when these kernels run on an empty input
    // (Python MLX too). Shapes and dtypes below printed by Python MLX 0.32.2, which
    // builds these graphs fine and only crashes on evaluation.
    use mlxrs::{Dtype, linalg, ops, random};
    let z = |shape: &[i32]| Array::zeros(shape, Dtype::Float32);
    let check = |a: Result<Array>, shape: &[i32], dtype: Dtype, what: &str| -> Result<()> {
        let a = a?;
        a.eval()?;
        assert_eq!((a.shape(), a.dtype()), (shape, dtype), "{what}");
        assert_eq!(a.size(), 0, "{what}");
        Ok(())
    };
    use Dtype::{Float32 as F, Int32 as I, Uint32 as U};
    check(ops::sort_axis(&z(&[2, 0])?, -1), &[2, 0], F, "sort")?;
    check(ops::argsort_axis(&z(&[2, 0])?, -1), &[2, 0], U, "argsort")?;
    check(ops::sort_flat(&z(&[2, 0])?), &[0], F, "sort flattened")?;
    check(
        ops::argsort_flat(&z(&[0, 3])?),
        &[0],
        U,
        "argsort flattened",
    )?;
    let i = Array::zeros(&[0, 3], I)?;
    check(
        ops::cumsum_axis(&i, 0, false, true, None),
        &[0, 3],
        I,
        "cumsum",
    )?;
    let b = Array::zeros(&[2, 0], Dtype::Bool)?;
    check(
        ops::cumsum(&b, false, true, None),
        &[0],
        I,
        "cumsum of bool",
    )?;
    check(
        ops::cumprod_axis(&z(&[2, 0])?, 1, true, true, None),
        &[2, 0],
        F,
        "cumprod",
    )?;
    check(ops::cummax(&z(&[0])?, false, true), &[0], F, "cummax")?;
    check(
        ops::cummin_axis(&z(&[0, 3])?, 0, false, false),
        &[0, 3],
        F,
        "cummin",
    )?;
    check(
        ops::logcumsumexp_axis(&z(&[2, 0])?, -1, false, true),
        &[2, 0],
        F,
        "logcumsumexp",
    )?;
    check(linalg::inv(&z(&[0, 0])?), &[0, 0], F, "inv")?;
    check(linalg::inv(&z(&[2, 0, 0])?), &[2, 0, 0], F, "batched inv")?;
    check(linalg::tri_inv(&z(&[0, 0])?, false), &[0, 0], F, "tri_inv")?;
    check(
        linalg::cholesky_inv(&z(&[0, 0])?, true),
        &[0, 0],
        F,
        "cholesky_inv",
    )?;
    check(linalg::solve(&z(&[0, 0])?, &z(&[0])?), &[0], F, "solve")?;
    check(
        linalg::solve_triangular(&z(&[0, 0])?, &z(&[0])?, false),
        &[0],
        F,
        "solve_triangular",
    )?;
    let (p, l, u) = linalg::lu(&z(&[0, 0])?)?;
    check(Ok(p), &[0], U, "lu p")?;
    check(Ok(l), &[0, 0], F, "lu l")?;
    check(Ok(u), &[0, 0], F, "lu u")?;
    let (lu, pivots) = linalg::lu_factor(&z(&[0, 0])?)?;
    check(Ok(lu), &[0, 0], F, "lu_factor")?;
    check(Ok(pivots), &[0], U, "lu_factor pivots")?;
    check(
        random::permutation_arange(0, None),
        &[0],
        U,
        "permutation of 0",
    )?;
    check(
        random::permutation(&z(&[0, 3])?, 0, None),
        &[0, 3],
        F,
        "permutation",
    )?;
    // Non-empty inputs still go through MLX's kernels.
    let s = ops::sort(&Array::from_slice(&[3.0f32, 1.0, 2.0], &[3])?)?;
    assert_eq!(s.to_vec::<f32>()?, [1.0, 2.0, 3.0]);
    Ok(())
}

#[test]
fn out_of_range_index_arrays_stay_inside_the_array() -> Result<()> {
    // MLX 0.32.2 reads and writes outside the buffer for these (garbage, or SIGSEGV far
    // out, in Python MLX too). mlxrs wraps an out-of-range single-element index around
    // the axis (NumPy's mode="wrap") and clamps the start of a larger block.
    use mlxrs::ops::{
        gather, put_along_axis, scatter_add_axis, scatter_single, slice_dynamic,
        slice_update_dynamic, take, take_along_axis, take_axis,
    };
    let v = |x: &[i32]| Array::from_slice(x, &[x.len()]);
    let a = v(&[10, 20, 30, 40])?;
    let far = v(&[100_000_000, -100_000_000, 3, -1, 4])?;
    assert_eq!(take(&a, &far)?.to_vec::<i32>()?, [10, 10, 40, 40, 10]);
    let m = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3])?;
    let cols = v(&[7, -9, 1])?;
    assert_eq!(
        take_axis(&m, &cols, 1)?.to_vec::<i32>()?,
        [2, 1, 2, 5, 4, 5]
    );
    let idx = Array::from_slice(&[5i32, -7], &[2, 1])?;
    assert_eq!(take_along_axis(&m, &idx, 1)?.to_vec::<i32>()?, [3, 6]);
    let z = Array::zeros(&[2, 3], mlxrs::Dtype::Int32)?;
    let put = put_along_axis(&z, &idx, &Array::from(9i32), 1)?;
    assert_eq!(put.to_vec::<i32>()?, [0, 0, 9, 0, 0, 9]);
    let added = scatter_add_axis(&z, &idx, &Array::from_slice(&[1i32, 2], &[2, 1])?, 1)?;
    assert_eq!(added.to_vec::<i32>()?, [0, 0, 1, 0, 0, 2]);
    // Blocks: a 2-row block may start at row 0 of 2 at most.
    let rows = v(&[100, -100])?;
    let g = gather(&m, std::slice::from_ref(&rows), &[0], &[2, 3])?;
    assert_eq!(g.shape(), &[2, 2, 3]);
    assert_eq!(g.to_vec::<i32>()?, [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    let upd = Array::full(&[1, 1, 3], 7i32)?;
    let s = scatter_single(&z, &v(&[50])?, &upd, 0)?;
    assert_eq!(s.to_vec::<i32>()?, [7, 7, 7, 0, 0, 0]);
    // Dynamic slices: a 2-element block of 4 starts at 2 at most.
    let d = slice_dynamic(&a, &v(&[1_000])?, &[0], &[2])?;
    assert_eq!(d.to_vec::<i32>()?, [30, 40]);
    let u = slice_update_dynamic(&a, &v(&[1, 2])?, &v(&[-1_000])?, &[0])?;
    assert_eq!(u.to_vec::<i32>()?, [1, 2, 30, 40]);
    // In-range and negative-in-range indices keep MLX's meaning.
    assert_eq!(take(&a, &v(&[-1, 0, 2])?)?.to_vec::<i32>()?, [40, 10, 30]);
    // Array indexing goes through the same ops.
    let picked = a.index(&[v(&[8, -2])?.into()])?;
    assert_eq!(picked.to_vec::<i32>()?, [10, 30]);
    // Lazy indices (computed in the graph) get the same treatment as evaluated ones.
    let lazy = mlxrs::ops::add(&v(&[99, 2])?, &Array::from(1i32))?;
    assert_eq!(take(&a, &lazy)?.to_vec::<i32>()?, [10, 40]);
    // Large evaluated index arrays take the graph op too.
    let mut many = vec![1i32; 20_000];
    many[19_999] = 6;
    let big = take(&a, &Array::from_slice(&many, &[many.len()])?)?.to_vec::<i32>()?;
    assert_eq!((big[0], big[19_999]), (20, 30));
    // Narrow index dtypes that cannot leave the axis need no rewrite at all.
    let bytes = Array::from_slice(&[3u8, 0], &[2])?;
    let wide = Array::arange(0.0, 300.0, 1.0, mlxrs::Dtype::Float32)?;
    assert_eq!(take(&wide, &bytes)?.to_vec::<f32>()?, [3.0, 0.0]);
    Ok(())
}

#[test]
fn integer_min_divided_by_minus_one_wraps_instead_of_killing_the_process() -> Result<()> {
    // i32::MIN / -1 overflows, and the CPU's division traps (SIGFPE) in MLX 0.32.2 and
    // Python MLX; mlxrs gives NumPy's wrapped results.
    let a = Array::from_slice(&[i32::MIN, -7, 7, 0], &[4])?;
    let m1 = Array::from(-1i32);
    assert_eq!(
        floor_divide(&a, &m1)?.to_vec::<i32>()?,
        [i32::MIN, 7, -7, 0]
    );
    assert_eq!(remainder(&a, &m1)?.to_vec::<i32>()?, [0, 0, 0, 0]);
    let (q, r) = divmod(&a, &m1)?;
    assert_eq!(q.to_vec::<i32>()?, [i32::MIN, 7, -7, 0]);
    assert_eq!(r.to_vec::<i32>()?, [0, 0, 0, 0]);
    let big = Array::from_slice(&[i64::MIN, 9], &[2])?;
    let d = Array::from_slice(&[-1i64, -1], &[2])?;
    assert_eq!(floor_divide(&big, &d)?.to_vec::<i64>()?, [i64::MIN, -9]);
    // Other divisors keep MLX's results (divmod floors, floor_divide truncates in 0.32).
    let (q, r) = divmod(&Array::from_slice(&[-7i32, 7], &[2])?, &Array::from(2i32))?;
    assert_eq!(
        (q.to_vec::<i32>()?, r.to_vec::<i32>()?),
        (vec![-4, 3], vec![1, 1])
    );
    Ok(())
}

#[test]
fn parameters_that_divide_by_zero_inside_mlx_are_invalid_arguments() -> Result<()> {
    // Each of these kills the process with SIGFPE in MLX 0.32.2 (and Python MLX).
    use mlxrs::Dtype;
    use mlxrs::ops::{Conv1dOptions, QuantizeOptions, conv1d, quantize, unflatten};
    let x = Array::zeros(&[1, 4, 2], Dtype::Float32)?;
    let w = Array::zeros(&[1, 3, 1], Dtype::Float32)?;
    let opts = Conv1dOptions {
        groups: 0,
        ..Default::default()
    };
    let e = conv1d(&x, &w, opts).unwrap_err();
    assert!(e.to_string().contains("`groups`"), "{e}");
    let q = QuantizeOptions {
        group_size: Some(0),
        ..Default::default()
    };
    let e = quantize(&Array::zeros(&[2, 64], Dtype::Float32)?, q, None).unwrap_err();
    assert!(e.to_string().contains("`group_size`"), "{e}");
    let e = unflatten(&Array::zeros(&[4], Dtype::Float32)?, 0, &[0, -1]).unwrap_err();
    assert!(e.to_string().contains("unflatten cannot infer"), "{e}");
    // The valid forms still work.
    assert_eq!(
        unflatten(&Array::zeros(&[4], Dtype::Float32)?, 0, &[2, -1])?.shape(),
        &[2, 2]
    );
    Ok(())
}

#[test]
fn attention_without_key_heads_and_out_of_range_classes_are_safe() -> Result<()> {
    use mlxrs::Dtype;
    use mlxrs::fast::{AttentionOptions, cross_entropy, scaled_dot_product_attention};
    // No key/value heads: SIGFPE in MLX 0.32.2 (a division by the head count).
    let q = Array::zeros(&[1, 2, 2, 4], Dtype::Float32)?;
    let kv = Array::zeros(&[1, 0, 3, 4], Dtype::Float32)?;
    let opts = AttentionOptions::new(0.5);
    let e = scaled_dot_product_attention(&q, &kv, &kv, &opts).unwrap_err();
    assert!(e.to_string().contains("at least one key/value head"), "{e}");
    // A class index past the end reads the last class instead of memory past `logits`:
    // logits [0, ln 3]: logsumexp = ln 4, so the loss for class 1 is ln 4 - ln 3.
    let logits = Array::from_slice(&[0.0f32, 3f32.ln()], &[1, 2])?;
    let far = cross_entropy(&logits, &Array::from_slice(&[100_000_000i32], &[1])?)?;
    let last = cross_entropy(&logits, &Array::from_slice(&[1i32], &[1])?)?;
    let want = 4f32.ln() - 3f32.ln();
    assert!((last.to_vec::<f32>()?[0] - want).abs() < 1e-6);
    assert_eq!(far.to_vec::<f32>()?, last.to_vec::<f32>()?);
    Ok(())
}

#[test]
fn batch_indices_and_segments_of_matrix_products_stay_in_bounds() -> Result<()> {
    use mlxrs::Dtype;
    use mlxrs::ops::{gather_mm, segmented_mm, stack};
    // MLX reads the matrix before the first for -1 (garbage such as 1.1e-43).
    let a = Array::ones(&[1, 2, 2], Dtype::Float32)?;
    let eye = Array::eye(2, 2, 0, Dtype::Float32)?;
    let b = stack(&[eye.clone(), (&eye * 2.0)?], 0)?;
    for (i, want) in [
        (0, 1.0f32),
        (1, 2.0),
        (-1, 2.0),
        (1_000_000, 2.0),
        (-1_000_000, 1.0),
    ] {
        let idx = Array::from_slice(&[i], &[1])?;
        let out = gather_mm(&a, &b, None, Some(&idx), false)?;
        assert_eq!(out.to_vec::<f32>()?, [want; 4], "rhs index {i}");
    }
    // Segments along K = 8, clamped to 0..=8: the whole product, all 8s.
    let x = Array::ones(&[4, 8], Dtype::Float32)?;
    let y = Array::ones(&[8, 4], Dtype::Float32)?;
    let seg = Array::from_slice(&[0u32, 100_000_000, 2, 4], &[2, 2])?;
    let out = segmented_mm(&x, &y, &seg)?;
    assert_eq!(out.shape(), &[2, 4, 4]);
    let v = out.to_vec::<f32>()?;
    assert!(v[..16].iter().all(|&e| e == 8.0), "{v:?}");
    assert!(v[16..].iter().all(|&e| e == 2.0), "{v:?}");
    Ok(())
}

#[test]
fn the_gradient_of_a_product_over_nothing_is_empty_not_a_crash() -> Result<()> {
    // MLX 0.32.2 differentiates `prod` with cumulative products, which raise SIGFPE on
    // empty inputs (Python's `mx.grad(mx.prod)(mx.zeros((0,)))` too).
    use mlxrs::Dtype;
    use mlxrs::ops::{prod, prod_axis};
    let x = Array::zeros(&[2, 0], Dtype::Float32)?;
    assert_eq!(prod(&x, false)?.item::<f32>()?, 1.0);
    assert_eq!(prod_axis(&x, 1, false)?.to_vec::<f32>()?, [1.0, 1.0]);
    assert_eq!(prod_axis(&x, 0, false)?.shape(), &[0]);
    let i = Array::zeros(&[0], Dtype::Int32)?;
    let p = prod(&i, false)?;
    assert_eq!((p.dtype(), p.item::<i32>()?), (Dtype::Int32, 1));
    for axis in [None, Some(0), Some(1)] {
        let g = grad(
            move |a: &[Array]| {
                let p = match axis {
                    None => prod(&a[0], false)?,
                    Some(ax) => sum(&prod_axis(&a[0], ax, false)?, false)?,
                };
                Ok(vec![p])
            },
            &[0],
        )?;
        let dx = g(std::slice::from_ref(&x))?;
        assert_eq!(dx[0].shape(), &[2, 0], "axis {axis:?}");
        dx[0].eval()?;
    }
    // Non-empty products keep MLX's gradient: d(x0·x1·x2)/dx = (6, 3, 2) at (1, 2, 3).
    let y = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
    let g = grad(|a: &[Array]| Ok(vec![prod(&a[0], false)?]), &[0])?;
    assert_eq!(g(&[y])?[0].to_vec::<f32>()?, [6.0, 3.0, 2.0]);
    Ok(())
}

/// `take_along_axis`/`put_along_axis` with Python's `axis=None`: `a` flattened, then
/// indexed along its only axis; `put` keeps `a`'s shape. Expected values from Python MLX
/// 0.32.2 (`mx.take_along_axis(a, i, axis=None)` and `mx.put_along_axis(..)`).
#[test]
fn along_axis_flat_forms_are_pythons_axis_none() -> Result<()> {
    use mlxrs::ops;
    let a = Array::from_slice(&[0.5f32, -1.0, 2.0, 3.0, 4.5, -6.0], &[2, 3])?;
    let i = Array::from_slice(&[5i32, 1, 1, 0], &[4])?;
    let t = ops::take_along_axis_flat(&a, &i)?;
    assert_eq!(t.shape(), [4]);
    assert_eq!(t.to_vec::<f32>()?, [-6.0, -1.0, -1.0, 0.5]);
    let p = ops::put_along_axis_flat(
        &a,
        &Array::from_slice(&[5i32, 1], &[2])?,
        &Array::from(9.0f32),
    )?;
    assert_eq!(p.shape(), [2, 3]);
    assert_eq!(p.to_vec::<f32>()?, [0.5, 9.0, 2.0, 3.0, 4.5, 9.0]);
    // A negative index counts from the end of the flattened array.
    let b = ops::arange(0.0, 24.0, 1.0, mlxrs::Dtype::Int32)?.reshape(&[2, 3, 4])?;
    let i = Array::from_slice(&[23i32, -1, 7], &[3])?;
    assert_eq!(
        ops::take_along_axis_flat(&b, &i)?.to_vec::<i32>()?,
        [23, 23, 7]
    );
    // Indices of more than one dimension: Python's error, word for word.
    let two_d = Array::from_slice(&[1i32], &[1, 1])?;
    let e = ops::take_along_axis_flat(&a, &two_d)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("[take_along_axis] Indices of dimension 2 does not match array of dimension 1."),
        "{e}"
    );
    let e = ops::put_along_axis_flat(&a, &two_d, &Array::from(1.0f32))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("[put_along_axis] Indices of dimension 2 does not match array of dimension 1."),
        "{e}"
    );
    Ok(())
}

/// Without an axis, the sorting family works along the last axis, as Python's default
/// `axis=-1` does; the `_flat` forms are Python's `axis=None`. Expected values from
/// Python MLX 0.32.2 on `[[3, 1, 2], [0, 5, 4]]`.
#[test]
fn sorting_defaults_to_last_axis() -> Result<()> {
    use mlxrs::ops;
    let c = Array::from_slice(&[3.0f32, 1.0, 2.0, 0.0, 5.0, 4.0], &[2, 3])?;
    let s = ops::sort(&c)?;
    assert_eq!(s.shape(), [2, 3]);
    assert_eq!(s.to_vec::<f32>()?, [1.0, 2.0, 3.0, 0.0, 4.0, 5.0]);
    assert_eq!(c.sort()?.to_vec::<f32>()?, [1.0, 2.0, 3.0, 0.0, 4.0, 5.0]);
    assert_eq!(ops::argsort(&c)?.to_vec::<u32>()?, [1, 2, 0, 0, 2, 1]);
    assert_eq!(c.argsort()?.to_vec::<u32>()?, [1, 2, 0, 0, 2, 1]);
    // topk's order is unspecified: sort each row of the result.
    let k = ops::topk(&c, 2)?;
    assert_eq!(k.shape(), [2, 2]);
    assert_eq!(ops::sort(&k)?.to_vec::<f32>()?, [2.0, 3.0, 4.0, 5.0]);
    // Partition around the smallest element of each row: it lands first.
    let p = ops::partition(&c, 0)?;
    assert_eq!(p.shape(), [2, 3]);
    let p = p.to_vec::<f32>()?;
    assert_eq!((p[0], p[3]), (1.0, 0.0));
    let ap = ops::argpartition(&c, 2)?.to_vec::<u32>()?;
    assert_eq!((ap[2], ap[5]), (0, 1));
    // The flattened forms.
    assert_eq!(
        ops::sort_flat(&c)?.to_vec::<f32>()?,
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    );
    assert_eq!(c.sort_flat()?.shape(), [6]);
    assert_eq!(ops::argsort_flat(&c)?.to_vec::<u32>()?, [3, 1, 2, 0, 5, 4]);
    assert_eq!(c.argsort_flat()?.to_vec::<u32>()?, [3, 1, 2, 0, 5, 4]);
    assert_eq!(
        ops::sort(&ops::topk_flat(&c, 2)?)?.to_vec::<f32>()?,
        [4.0, 5.0]
    );
    assert_eq!(ops::partition_flat(&c, 0)?.to_vec::<f32>()?[0], 0.0);
    assert_eq!(ops::argpartition_flat(&c, 0)?.to_vec::<u32>()?[0], 3);
    // 0-dimensional input has no last axis: an error, as in Python.
    assert!(ops::sort(&Array::scalar(1.0f32)).is_err());
    Ok(())
}

/// `Array::at`: Python's `a.at[idx].add(v)` and its siblings apply every update, also
/// where an element is selected twice. Expected values from Python MLX 0.32.2 (each line
/// names the Python call).
#[test]
fn at_updates_accumulate_as_pythons_array_at() -> Result<()> {
    use mlxrs::Dtype;
    use mlxrs::ops::{Idx, s};
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[4])?;
    let i: Idx = Array::from_slice(&[0i32, 0, 2], &[3])?.into();
    let i = std::slice::from_ref(&i);
    let v = |x: &[f32]| Array::from_slice(x, &[x.len() as i32]);
    // a.at[i].add([1, 2, 3]), .subtract(1.0), .multiply([2, 3, 4]), .divide(2.0),
    // .maximum([5, 0, 1]), .minimum([5, 0, 1]), .divide([2, 4, 2])
    let add = a.at(i).add(&v(&[1.0, 2.0, 3.0])?)?;
    assert_eq!(add.to_vec::<f32>()?, [4.0, 2.0, 6.0, 4.0]);
    assert_eq!(
        a.at(i).subtract(1.0)?.to_vec::<f32>()?,
        [-1.0, 2.0, 2.0, 4.0]
    );
    let mul = a.at(i).multiply(&v(&[2.0, 3.0, 4.0])?)?;
    assert_eq!(mul.to_vec::<f32>()?, [6.0, 2.0, 12.0, 4.0]);
    assert_eq!(a.at(i).divide(2.0)?.to_vec::<f32>()?, [0.25, 2.0, 1.5, 4.0]);
    let div = a.at(i).divide(&v(&[2.0, 4.0, 2.0])?)?;
    assert_eq!(div.to_vec::<f32>()?, [0.125, 2.0, 1.5, 4.0]);
    let max = a.at(i).maximum(&v(&[5.0, 0.0, 1.0])?)?;
    assert_eq!(max.to_vec::<f32>()?, [5.0, 2.0, 3.0, 4.0]);
    let min = a.at(i).minimum(&v(&[5.0, 0.0, 1.0])?)?;
    assert_eq!(min.to_vec::<f32>()?, [0.0, 2.0, 1.0, 4.0]);
    // The value loses its leading size-1 dimensions: a.at[1].add(mx.array([5.0])).
    assert_eq!(
        a.at(&[1.into()]).add(&v(&[5.0])?)?.to_vec::<f32>()?,
        [1.0, 7.0, 3.0, 4.0]
    );
    // Slices: m.at[1:, ::2].add(mx.array([[10.0]])) on arange(12).reshape(3, 4).
    let m = Array::arange(0.0, 12.0, 1.0, Dtype::Float32)?.reshape(&[3, 4])?;
    let got = m
        .at(&[(1..).into(), s(None, None, 2)])
        .add(&Array::from_slice(&[10.0f32], &[1, 1])?)?;
    assert_eq!(got.shape(), [3, 4]);
    assert_eq!(
        got.to_vec::<f32>()?,
        [
            0.0, 1.0, 2.0, 3.0, 14.0, 5.0, 16.0, 7.0, 18.0, 9.0, 20.0, 11.0
        ]
    );
    // An index array and an integer: m.at[mx.array([0, 0]), 1].add(1.0).
    let rows: Idx = Array::from_slice(&[0i32, 0], &[2])?.into();
    let got = m.at(&[rows, 1.into()]).add(1.0)?.to_vec::<f32>()?;
    assert_eq!(&got[..4], [0.0, 3.0, 2.0, 3.0]);
    // Python's example: a = [0, 0]; a.at[[0, 1, 0, 1]].add(1) -> [2, 2].
    let z = Array::from_slice(&[0i32, 0], &[2])?;
    let idx: Idx = Array::from_slice(&[0i32, 1, 0, 1], &[4])?.into();
    assert_eq!(z.at(&[idx]).add(1)?.to_vec::<i32>()?, [2, 2]);
    // The value is cast to the array's dtype: int32 [4, 8] .at[0].divide(2) -> [0, 8]
    // (1/2 is 0 in int32); .at[0].add(mx.array(1.5)) -> 1 (1.5 cast to 1).
    let n = Array::from_slice(&[4i32, 8], &[2])?;
    let got = n.at(&[0.into()]).divide(2)?;
    assert_eq!(
        (got.dtype(), got.to_vec::<i32>()?),
        (Dtype::Int32, vec![0, 8])
    );
    let got = n.at(&[0.into()]).add(&Array::from(1.5f32))?;
    assert_eq!(
        (got.dtype(), got.to_vec::<i32>()?),
        (Dtype::Int32, vec![5, 8])
    );
    // `a` itself is unchanged, and a value that does not broadcast is MLX's error.
    assert_eq!(a.to_vec::<f32>()?, [1.0, 2.0, 3.0, 4.0]);
    // mlxrs's own index errors name the call.
    let e = a.at(&[5.into()]).add(1.0).unwrap_err().to_string();
    assert!(
        e.contains("Array::at(..).add: index 5 is out of bounds for axis 0 with size 4"),
        "{e}"
    );
    let two: Idx = Array::from_slice(&[0i32, 1], &[2])?.into();
    let e = a
        .at(&[two])
        .add(&v(&[1.0, 2.0, 3.0])?)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Shapes (3) and (2) cannot be broadcast"), "{e}");
    Ok(())
}
