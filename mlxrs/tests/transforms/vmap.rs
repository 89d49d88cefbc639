//! `vmap` against an explicit loop (split into slices, call the function on each, stack
//! the results), unmapped arguments (`in_axes` `None`), negative and shared axes as
//! Python accepts them, `out_axes` other than 0, and the error paths.

use mlxrs::ops::*;
use mlxrs::transforms::{grad, vmap};
use mlxrs::{Array, Error, Result};

use crate::support::{arr, assert_close, expect_err, values, vec1};

type F = fn(&[Array]) -> Result<Vec<Array>>;

/// The slices of `x` along `axis`, with that axis removed.
fn slices(x: &Array, axis: i32) -> Result<Vec<Array>> {
    let n = x.dim(axis)?;
    split(x, n, axis)?
        .iter()
        .map(|s| squeeze_axes(s, &[axis]))
        .collect()
}

/// `f` applied slice by slice (`in_axes[i] == None`: argument `i` passed whole), output
/// `j` stacked along `out_axes[j]`.
fn looped(f: F, args: &[Array], in_axes: &[Option<i32>], out_axes: &[i32]) -> Result<Vec<Array>> {
    let per_arg: Vec<Option<Vec<Array>>> = args
        .iter()
        .zip(in_axes)
        .map(|(a, &ax)| ax.map(|ax| slices(a, ax)).transpose())
        .collect::<Result<_>>()?;
    let n = per_arg.iter().flatten().map(Vec::len).next().unwrap_or(0);
    let mut outs: Vec<Vec<Array>> = vec![Vec::new(); out_axes.len()];
    for k in 0..n {
        let call: Vec<Array> = per_arg
            .iter()
            .zip(args)
            .map(|(s, a)| s.as_ref().map_or_else(|| a.clone(), |s| s[k].clone()))
            .collect();
        for (j, y) in f(&call)?.into_iter().enumerate() {
            outs[j].push(y);
        }
    }
    outs.iter()
        .zip(out_axes)
        .map(|(ys, &ax)| stack(ys, ax))
        .collect()
}

/// vmap(f) and the loop agree in shape and (to rounding) in value.
fn check(
    name: &str,
    f: F,
    args: &[Array],
    in_axes: &[Option<i32>],
    out_axes: &[i32],
) -> Result<()> {
    let mapped = vmap(f, in_axes, out_axes)?(args)?;
    let want = looped(f, args, in_axes, out_axes)?;
    assert_eq!(mapped.len(), want.len(), "{name}: number of outputs");
    for (j, (m, w)) in mapped.iter().zip(&want).enumerate() {
        assert_eq!(m.shape(), w.shape(), "{name}: output {j} shape");
        assert_close(
            &values(m)?,
            &values(w)?,
            1e-6,
            1e-6,
            &format!("{name}: output {j}"),
        );
    }
    Ok(())
}

fn seq(n: usize, scale: f32, offset: f32) -> Vec<f32> {
    (0..n)
        .map(|i| (i as f32 * scale + offset).sin() * 2.0)
        .collect()
}

#[test]
fn vmap_matches_an_explicit_loop() -> Result<()> {
    let x = arr(&seq(12, 0.7, 0.1), &[3, 4])?;
    let y = arr(&seq(12, 1.3, -0.4), &[3, 4])?;
    check(
        "sin(x) * sum(x)",
        |xs| Ok(vec![(&sin(&xs[0])? * &sum(&xs[0], false)?)?]),
        std::slice::from_ref(&x),
        &[Some(0)],
        &[0],
    )?;
    check(
        "row dot",
        |xs| Ok(vec![inner(&xs[0], &xs[1])?]),
        &[x.clone(), y.clone()],
        &[Some(0), Some(0)],
        &[0],
    )?;
    check(
        "logsumexp over columns (in_axes 1)",
        |xs| Ok(vec![logsumexp(&xs[0], false)?]),
        std::slice::from_ref(&x),
        &[Some(1)],
        &[0],
    )?;
    check(
        "x along axis 0 against y along axis 1",
        |xs| Ok(vec![outer(&xs[0], &xs[1])?]),
        &[x.clone(), arr(&seq(12, 0.3, 0.2), &[4, 3])?],
        &[Some(0), Some(1)],
        &[0],
    )?;
    check(
        "softmax-like, two outputs",
        |xs| {
            let lse = logsumexp(&xs[0], false)?;
            Ok(vec![exp(&(&xs[0] - &lse)?)?, lse])
        },
        &[y],
        &[Some(0)],
        &[0, 0],
    )?;
    Ok(())
}

#[test]
fn vmap_with_an_unmapped_argument() -> Result<()> {
    // Matrix-vector products of a batch of (2, 3) matrices with one shared vector.
    let a = arr(&seq(24, 0.9, 0.3), &[4, 2, 3])?;
    let v = vec1(&[1.0, -2.0, 0.5])?;
    check(
        "A_i @ v",
        |xs| Ok(vec![matmul(&xs[0], &xs[1])?]),
        &[a.clone(), v.clone()],
        &[Some(0), None],
        &[0],
    )?;
    // The mapped argument second.
    check(
        "v - A_i (v unmapped first)",
        |xs| Ok(vec![(&xs[0] - &xs[1])?]),
        &[v, a],
        &[None, Some(0)],
        &[0],
    )?;
    // Closed form for one case: row sums scaled by a shared scalar.
    let rows = vmap(
        |xs: &[Array]| Ok(vec![(&sum(&xs[0], false)? * &xs[1])?]),
        &[Some(0), None],
        &[0],
    )?;
    let out = rows(&[
        arr(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?,
        Array::from(10.0f32),
    ])?;
    assert_eq!(out[0].shape(), &[2]);
    assert_eq!(values(&out[0])?, vec![60.0, 150.0]);
    Ok(())
}

#[test]
fn vmap_with_out_axes_other_than_zero() -> Result<()> {
    let x = arr(&seq(12, 0.7, 0.1), &[3, 4])?;
    check(
        "2x + sum(x), stacked along axis 1",
        |xs| Ok(vec![(&(&xs[0] * 2.0)? + &sum(&xs[0], false)?)?]),
        std::slice::from_ref(&x),
        &[Some(0)],
        &[1],
    )?;
    check(
        "[x^2 along axis 1, sum(x) along axis 0]",
        |xs| Ok(vec![square(&xs[0])?, sum(&xs[0], false)?]),
        std::slice::from_ref(&x),
        &[Some(0)],
        &[1, 0],
    )?;
    // Closed form: mapping the identity over rows and stacking along axis 1 transposes.
    let t = vmap(|xs: &[Array]| Ok(vec![xs[0].clone()]), &[0], &[1])?;
    let out = t(&[arr(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?])?;
    assert_eq!(out[0].shape(), &[3, 2]);
    assert_eq!(values(&out[0])?, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    // Mapping over axis 1 and stacking along axis 1 gives back the input.
    let id = vmap(|xs: &[Array]| Ok(vec![(&xs[0] * 1.0)?]), &[1], &[1])?;
    let out = id(std::slice::from_ref(&x))?;
    assert_eq!(out[0].shape(), &[3, 4]);
    assert_eq!(values(&out[0])?, values(&x)?);
    Ok(())
}

#[test]
fn vmap_of_grad_gives_per_example_gradients() -> Result<()> {
    // d/dx sum(sin(x) * w) = cos(x) * w per row, w shared.
    let g = grad(
        |xs: &[Array]| Ok(vec![sum(&(&sin(&xs[0])? * &xs[1])?, false)?]),
        &[0],
    )?;
    let per_row = vmap(move |xs: &[Array]| g(xs), [Some(0), None], 0)?;
    let x = seq(6, 0.8, 0.2);
    let w = [2.0f32, -1.0, 0.5];
    let out = per_row(&[arr(&x, &[2, 3])?, vec1(&w)?])?;
    assert_eq!(out[0].shape(), &[2, 3]);
    let want: Vec<f32> = (0..6).map(|k| x[k].cos() * w[k % 3]).collect();
    assert_close(
        &values(&out[0])?,
        &want,
        1e-5,
        1e-6,
        "per-example gradients",
    );
    Ok(())
}

#[test]
fn nested_vmap_maps_both_axes() -> Result<()> {
    // vmap(vmap(f)) over a (2, 3) array of scalars: f(a, b) = a * b + 1, elementwise.
    let inner_map = vmap(
        |xs: &[Array]| Ok(vec![(&(&xs[0] * &xs[1])? + 1.0)?]),
        &[Some(0), Some(0)],
        &[0],
    )?;
    let outer_map = vmap(move |xs: &[Array]| inner_map(xs), &[0, 0], &[0])?;
    let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [0.5f32, -1.0, 2.0, 0.0, 3.0, -2.0];
    let out = outer_map(&[arr(&a, &[2, 3])?, arr(&b, &[2, 3])?])?;
    assert_eq!(out[0].shape(), &[2, 3]);
    let want: Vec<f32> = (0..6).map(|k| a[k] * b[k] + 1.0).collect();
    assert_eq!(values(&out[0])?, want);
    Ok(())
}

#[test]
fn vmap_errors() -> Result<()> {
    let f = |xs: &[Array]| Ok(vec![sum(&xs[0], false)?]);
    let x = arr(&[1.0, 2.0, 3.0, 4.0], &[2, 2])?;

    // out_axes empty: rejected when the transform is made.
    match vmap(f, 0, &[] as &[i32]) {
        Err(Error::EmptyInput(e)) => assert!(
            e.context().contains("vmap") && e.context().contains("out_axes"),
            "context: {}",
            e.context()
        ),
        Err(other) => panic!("empty out_axes: expected EmptyInput, got {other:?}"),
        Ok(_) => panic!("empty out_axes: expected EmptyInput, got Ok"),
    }

    // Wrong number of in_axes: an error at call time, and the next good call works.
    let mapped = vmap(f, &[0, 0], &[0])?;
    let e = expect_err(
        mapped(std::slice::from_ref(&x)),
        "two in_axes, one argument",
    );
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                name: "in_axes",
                ..
            }
        ),
        "got {e:?}"
    );
    assert!(e.to_string().contains("vmap"), "{e}");
    let ok = mapped(&[x.clone(), x.clone()])?;
    assert_eq!(values(&ok[0])?, vec![3.0, 7.0]);
    let mapped = vmap(f, &[0], &[0])?;
    let e = expect_err(
        mapped(&[x.clone(), x.clone()]),
        "one in_axis, two arguments",
    );
    assert!(matches!(e, Error::InvalidArgument { .. }), "got {e:?}");
    assert_eq!(
        values(&mapped(std::slice::from_ref(&x))?[0])?,
        vec![3.0, 7.0]
    );

    // More out_axes than outputs: an error naming out_axes.
    let mapped = vmap(f, &[0], &[0, 0])?;
    let e = expect_err(mapped(std::slice::from_ref(&x)), "two out_axes, one output");
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                name: "out_axes",
                ..
            }
        ),
        "got {e:?}"
    );
    assert_eq!(
        e.to_string(),
        "invalid `out_axes`: vmap: 2 out_axes for a call with 1 outputs"
    );

    // Mapped axes of different sizes: MLX's message.
    let dot = vmap(
        |xs: &[Array]| Ok(vec![inner(&xs[0], &xs[1])?]),
        &[0, 0],
        &[0],
    )?;
    let e = expect_err(
        dot(&[x.clone(), arr(&[1.0; 6], &[3, 2])?]),
        "inconsistent sizes",
    );
    assert!(
        e.to_string().contains("[vmap] Inconsistent axis sizes"),
        "got {e}"
    );

    // in_axes outside the input's axes: an error naming in_axes and the argument, then a
    // good call on a fresh transform.
    for axis in [-3, 2, 3] {
        let e = expect_err(
            vmap(f, &[axis], &[0])?(std::slice::from_ref(&x)),
            "in_axes out of range",
        );
        assert_eq!(
            e.to_string(),
            format!(
                "invalid `in_axes`: vmap: axis {axis} is out of range for argument 0 \
                 with 2 dimensions"
            )
        );
    }
    assert_eq!(
        values(&vmap(f, &[1], &[0])?(std::slice::from_ref(&x))?[0])?,
        vec![4.0, 6.0]
    );

    // A 0-d mapped input.
    let e = expect_err(vmap(f, 0, 0)?(&[Array::from(1.0f32)]), "0-d mapped input");
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                name: "in_axes",
                ..
            }
        ),
        "got {e:?}"
    );

    // out_axes out of range for the stacked output (1-D here), or None.
    for axis in [-3, 2] {
        let e = expect_err(
            vmap(f, 0, axis)?(std::slice::from_ref(&x)),
            "out_axes out of range",
        );
        assert!(
            matches!(
                e,
                Error::InvalidArgument {
                    name: "out_axes",
                    ..
                }
            ),
            "got {e:?}"
        );
    }
    let e = expect_err(vmap(f, 0, None)?(std::slice::from_ref(&x)), "out_axes None");
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                name: "out_axes",
                ..
            }
        ),
        "got {e:?}"
    );
    Ok(())
}

/// Negative axes, one axis for every argument, and `None` for an unmapped argument, as
/// Python accepts them. Expected values from Python MLX 0.32.2:
/// `a = arange(6).reshape(2, 3)`, `b = [1, 2, 3]`, `f = lambda x, y: x * y`;
/// `vmap(f, in_axes=(-1, None))(a.T, b)` is `[[0, 2, 6], [3, 8, 15]]`,
/// `vmap(f, in_axes=(0, None), out_axes=-1)(a, b)` is its transpose (shape `(3, 2)`), and
/// `vmap(lambda x: x, in_axes=-2, out_axes=0)` of a `(2, 3, 4)` array has shape
/// `(3, 2, 4)`.
#[test]
fn vmap_axes_as_python_accepts_them() -> Result<()> {
    let a = arr(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3])?;
    let b = vec1(&[1.0, 2.0, 3.0])?;
    let f = |xs: &[Array]| Ok(vec![(&xs[0] * &xs[1])?]);
    let at = a.transpose()?;
    let out = vmap(f, [Some(-1), None], 0)?(&[at, b.clone()])?;
    assert_eq!(out[0].shape(), &[2, 3]);
    assert_eq!(values(&out[0])?, vec![0.0, 2.0, 6.0, 3.0, 8.0, 15.0]);
    let out = vmap(f, vec![Some(0), None], -1)?(&[a.clone(), b])?;
    assert_eq!(out[0].shape(), &[3, 2]);
    assert_eq!(values(&out[0])?, vec![0.0, 3.0, 2.0, 8.0, 6.0, 15.0]);
    // One axis for all arguments, negative.
    let out = vmap(f, -1, 0)?(&[a.clone(), a.clone()])?;
    assert_eq!(out[0].shape(), &[3, 2]);
    assert_eq!(values(&out[0])?, vec![0.0, 9.0, 1.0, 16.0, 4.0, 25.0]);
    // in_axes -2 of a (2, 3, 4) array maps axis 1.
    let z = Array::zeros(&[2, 3, 4], mlxrs::Dtype::Float32)?;
    let id = |xs: &[Array]| Ok(vec![xs[0].clone()]);
    assert_eq!(
        vmap(id, -2, 0)?(std::slice::from_ref(&z))?[0].shape(),
        &[3, 2, 4]
    );
    assert_eq!(
        vmap(id, 0, -2)?(std::slice::from_ref(&z))?[0].shape(),
        &[3, 2, 4]
    );
    Ok(())
}
