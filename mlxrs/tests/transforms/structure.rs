//! Gradients through shape and structure (broadcasting, reshape, transpose, slicing,
//! reductions with axes, concatenate/stack/split), multi-output functions, vjp/jvp with
//! several outputs and primals, and higher-order derivatives, all against closed forms
//! worked out by hand (the comments give the derivation).

use mlxrs::ops::*;
use mlxrs::transforms::{grad, jvp, value_and_grad, vjp};
use mlxrs::{Array, Result};

use crate::support::{arr, assert_array, assert_close, scalar, values, vec1};

/// Row-major values of an `n`-element `f32` range starting at `start`.
fn range(start: f32, n: usize) -> Vec<f32> {
    (0..n).map(|i| start + i as f32).collect()
}

#[test]
fn broadcast_vector_against_matrix_sums_over_the_broadcast_axis() -> Result<()> {
    // f(v, M) = sum(v * M), v: (3,), M: (2, 3). df/dv_j = sum_i M_ij; df/dM_ij = v_j.
    let g = grad(
        |xs: &[Array]| Ok(vec![sum(&(&xs[0] * &xs[1])?, false)?]),
        &[0, 1],
    )?;
    let v = vec1(&[1.0, 2.0, 3.0])?;
    let m = arr(&[0.5, -1.0, 2.0, 3.0, 0.25, -4.0], &[2, 3])?;
    let gs = g(&[v, m])?;
    assert_array(&gs[0], &[3], &[3.5, -0.75, -2.0], "d/dv");
    assert_array(&gs[1], &[2, 3], &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0], "d/dM");
    Ok(())
}

#[test]
fn broadcast_nonlinear_and_both_sides() -> Result<()> {
    // f(v, M) = sum(sin(M + v)): df/dv_j = sum_i cos(M_ij + v_j), df/dM_ij = cos(M_ij + v_j).
    let g = grad(
        |xs: &[Array]| Ok(vec![sum(&sin(&(&xs[1] + &xs[0])?)?, false)?]),
        &[0, 1],
    )?;
    let v = [0.3f32, -1.1, 2.0];
    let m = [0.5f32, -1.0, 2.0, 3.0, 0.25, -4.0];
    let gs = g(&[vec1(&v)?, arr(&m, &[2, 3])?])?;
    let dm: Vec<f32> = (0..6).map(|k| (m[k] + v[k % 3]).cos()).collect();
    let dv: Vec<f32> = (0..3).map(|j| dm[j] + dm[j + 3]).collect();
    assert_eq!(gs[0].shape(), &[3]);
    assert_eq!(gs[1].shape(), &[2, 3]);
    assert_close(&values(&gs[0])?, &dv, 1e-5, 1e-5, "d/dv");
    assert_close(&values(&gs[1])?, &dm, 1e-5, 1e-5, "d/dM");

    // (2, 1) against (1, 3): f = sum(a * b), df/da_i = sum_j b_j, df/db_j = sum_i a_i, each
    // gradient keeping its argument's shape.
    let g = grad(
        |xs: &[Array]| Ok(vec![sum(&(&xs[0] * &xs[1])?, false)?]),
        &[0, 1],
    )?;
    let gs = g(&[
        arr(&[2.0, -5.0], &[2, 1])?,
        arr(&[1.0, 10.0, 100.0], &[1, 3])?,
    ])?;
    assert_array(&gs[0], &[2, 1], &[111.0, 111.0], "d/da (2,1)");
    assert_array(&gs[1], &[1, 3], &[-3.0, -3.0, -3.0], "d/db (1,3)");

    // A scalar against a matrix: df/ds = sum(M).
    let gs = g(&[
        scalar(4.0),
        arr(&[0.5, -1.0, 2.0, 3.0, 0.25, -4.0], &[2, 3])?,
    ])?;
    assert_array(&gs[0], &[], &[0.75], "d/ds");
    assert_array(&gs[1], &[2, 3], &[4.0; 6], "d/dM with scalar s");
    Ok(())
}

#[test]
fn reshape_passes_gradient_back_in_the_original_shape() -> Result<()> {
    // f(x) = sum(reshape(x, (3, 2))^2 * W): df/dx_k = 2 x_k W_flat[k].
    let w = arr(&[1.0, -2.0, 3.0, -4.0, 5.0, -6.0], &[3, 2])?;
    let g = grad(
        move |xs: &[Array]| {
            let r = reshape(&xs[0], &[3, 2])?;
            Ok(vec![sum(&(&square(&r)? * &w)?, false)?])
        },
        &[0],
    )?;
    let x = range(1.0, 6);
    let gs = g(&[vec1(&x)?])?;
    let wf = [1.0f32, -2.0, 3.0, -4.0, 5.0, -6.0];
    let want: Vec<f32> = (0..6).map(|k| 2.0 * x[k] * wf[k]).collect();
    assert_array(&gs[0], &[6], &want, "d/dx through reshape");
    Ok(())
}

#[test]
fn transpose_and_transpose_axes_route_gradients_to_permuted_positions() -> Result<()> {
    // f(x) = sum(transpose(x) * W), x: (2, 3), W: (3, 2): df/dx_ij = W_ji.
    let w = arr(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2])?;
    let g = grad(
        move |xs: &[Array]| Ok(vec![sum(&(&transpose(&xs[0])? * &w)?, false)?]),
        &[0],
    )?;
    let gs = g(&[arr(&range(0.0, 6), &[2, 3])?])?;
    assert_array(
        &gs[0],
        &[2, 3],
        &[1.0, 3.0, 5.0, 2.0, 4.0, 6.0],
        "d/dx transpose",
    );

    // y = transpose_axes(x, [2, 0, 1]): y[a, b, c] = x[b, c, a] for x: (2, 3, 4).
    // f = sum(y * W) with W[a, b, c] = 100a + 10b + c, so df/dx[b, c, a] = W[a, b, c].
    let mut wv = Vec::new();
    for a in 0..4 {
        for b in 0..2 {
            for c in 0..3 {
                wv.push((100 * a + 10 * b + c) as f32);
            }
        }
    }
    let w = arr(&wv, &[4, 2, 3])?;
    let g = grad(
        move |xs: &[Array]| {
            let y = transpose_axes(&xs[0], &[2, 0, 1])?;
            Ok(vec![sum(&(&y * &w)?, false)?])
        },
        &[0],
    )?;
    let gs = g(&[arr(&range(0.0, 24), &[2, 3, 4])?])?;
    let mut want = Vec::new();
    for b in 0..2 {
        for c in 0..3 {
            for a in 0..4 {
                want.push((100 * a + 10 * b + c) as f32);
            }
        }
    }
    assert_array(&gs[0], &[2, 3, 4], &want, "d/dx transpose_axes");
    Ok(())
}

#[test]
fn slicing_scatters_gradient_into_zeros() -> Result<()> {
    // x: (8,), slice 1..7 step 2 picks x1, x3, x5; f = 10 x1 + 20 x3 + 30 x5.
    let w = vec1(&[10.0, 20.0, 30.0])?;
    let g = grad(
        move |xs: &[Array]| {
            let s = slice(&xs[0], &[1], &[7], &[2])?;
            Ok(vec![sum(&(&s * &w)?, false)?])
        },
        &[0],
    )?;
    let gs = g(&[vec1(&range(0.0, 8))?])?;
    assert_array(
        &gs[0],
        &[8],
        &[0.0, 10.0, 0.0, 20.0, 0.0, 30.0, 0.0, 0.0],
        "1-d slice",
    );

    // x: (3, 4), rows 1..3, columns 0..4 step 3 (columns 0 and 3), weights [[1, 2], [3, 4]].
    let w = arr(&[1.0, 2.0, 3.0, 4.0], &[2, 2])?;
    let g = grad(
        move |xs: &[Array]| {
            let s = slice(&xs[0], &[1, 0], &[3, 4], &[1, 3])?;
            Ok(vec![sum(&(&square(&s)? * &w)?, false)?])
        },
        &[0],
    )?;
    let x = range(1.0, 12);
    let gs = g(&[arr(&x, &[3, 4])?])?;
    // d/dx of w * x^2 is 2 w x at the picked positions (4, 7, 8, 11 flat), 0 elsewhere.
    let mut want = vec![0.0f32; 12];
    for (flat, wk) in [(4usize, 1.0f32), (7, 2.0), (8, 3.0), (11, 4.0)] {
        want[flat] = 2.0 * wk * x[flat];
    }
    assert_array(&gs[0], &[3, 4], &want, "2-d strided slice");
    Ok(())
}

#[test]
fn sum_axes_and_mean_axis_spread_gradients_evenly() -> Result<()> {
    // f = sum(sum_axes(x, [0, 2]) * w), x: (2, 3, 4): df/dx[i, j, k] = w_j.
    let w = vec1(&[1.0, -2.0, 3.0])?;
    let g = grad(
        move |xs: &[Array]| {
            Ok(vec![sum(
                &(&sum_axes(&xs[0], &[0, 2], false)? * &w)?,
                false,
            )?])
        },
        &[0],
    )?;
    let gs = g(&[arr(&range(0.0, 24), &[2, 3, 4])?])?;
    let want: Vec<f32> = (0..24).map(|f| [1.0, -2.0, 3.0][(f / 4) % 3]).collect();
    assert_array(&gs[0], &[2, 3, 4], &want, "sum_axes");

    // keepdims: the (1, 3, 1) result broadcast against a (1, 3, 1) weight, same gradient.
    let w = arr(&[1.0, -2.0, 3.0], &[1, 3, 1])?;
    let g = grad(
        move |xs: &[Array]| {
            Ok(vec![sum(
                &(&sum_axes(&xs[0], &[0, 2], true)? * &w)?,
                false,
            )?])
        },
        &[0],
    )?;
    let gs = g(&[arr(&range(0.0, 24), &[2, 3, 4])?])?;
    assert_array(&gs[0], &[2, 3, 4], &want, "sum_axes keepdims");

    // f = sum(mean_axis(x, 1) * w), x: (2, 3), w = [3, -6]: df/dx[i, j] = w_i / 3.
    let w = vec1(&[3.0, -6.0])?;
    let g = grad(
        move |xs: &[Array]| Ok(vec![sum(&(&mean_axis(&xs[0], 1, false)? * &w)?, false)?]),
        &[0],
    )?;
    let gs = g(&[arr(&range(0.0, 6), &[2, 3])?])?;
    assert_array(
        &gs[0],
        &[2, 3],
        &[1.0, 1.0, 1.0, -2.0, -2.0, -2.0],
        "mean_axis",
    );
    Ok(())
}

#[test]
fn max_gradients_are_one_hot() -> Result<()> {
    // f = sum(max_axis(x, 1) * w), rows [1, 5, 2] and [7, -1, 3], w = [2, -3]:
    // the gradient is w_i at each row's maximum, 0 elsewhere.
    let w = vec1(&[2.0, -3.0])?;
    let g = grad(
        move |xs: &[Array]| Ok(vec![sum(&(&max_axis(&xs[0], 1, false)? * &w)?, false)?]),
        &[0],
    )?;
    let gs = g(&[arr(&[1.0, 5.0, 2.0, 7.0, -1.0, 3.0], &[2, 3])?])?;
    assert_array(
        &gs[0],
        &[2, 3],
        &[0.0, 2.0, 0.0, -3.0, 0.0, 0.0],
        "max_axis",
    );

    // max over everything: one 1 at the largest element.
    let g = grad(|xs: &[Array]| Ok(vec![max(&xs[0], false)?]), &[0])?;
    let gs = g(&[vec1(&[0.5, -2.0, 4.25, 3.0, 4.0])?])?;
    assert_array(&gs[0], &[5], &[0.0, 0.0, 1.0, 0.0, 0.0], "max");
    Ok(())
}

#[test]
fn concatenate_stack_and_split_route_gradient_pieces() -> Result<()> {
    // concatenate([a (2,), b (3,)]) * [1..5]: df/da = [1, 2], df/db = [3, 4, 5].
    let w = vec1(&[1.0, 2.0, 3.0, 4.0, 5.0])?;
    let g = grad(
        move |xs: &[Array]| {
            let c = concatenate(&[xs[0].clone(), xs[1].clone()], 0)?;
            Ok(vec![sum(&(&c * &w)?, false)?])
        },
        &[0, 1],
    )?;
    let gs = g(&[vec1(&[9.0, 9.0])?, vec1(&[9.0, 9.0, 9.0])?])?;
    assert_array(&gs[0], &[2], &[1.0, 2.0], "concatenate d/da");
    assert_array(&gs[1], &[3], &[3.0, 4.0, 5.0], "concatenate d/db");

    // Along axis 1 of (2, 1) and (2, 2), squared: df/dx = 2 x W restricted to each part.
    let w = arr(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
    let g = grad(
        move |xs: &[Array]| {
            let c = concatenate(&[xs[0].clone(), xs[1].clone()], 1)?;
            Ok(vec![sum(&(&square(&c)? * &w)?, false)?])
        },
        &[0, 1],
    )?;
    let gs = g(&[
        arr(&[1.0, -1.0], &[2, 1])?,
        arr(&[0.5, 2.0, 3.0, -2.0], &[2, 2])?,
    ])?;
    assert_array(&gs[0], &[2, 1], &[2.0, -8.0], "concatenate axis 1 d/da");
    assert_array(
        &gs[1],
        &[2, 2],
        &[2.0, 12.0, 30.0, -24.0],
        "concatenate axis 1 d/db",
    );

    // stack([a, b], 1) * [[1, 2], [3, 4], [5, 6]]: df/da = [1, 3, 5], df/db = [2, 4, 6].
    let w = arr(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2])?;
    let g = grad(
        move |xs: &[Array]| {
            let s = stack(&[xs[0].clone(), xs[1].clone()], 1)?;
            Ok(vec![sum(&(&s * &w)?, false)?])
        },
        &[0, 1],
    )?;
    let gs = g(&[vec1(&[0.0; 3])?, vec1(&[0.0; 3])?])?;
    assert_array(&gs[0], &[3], &[1.0, 3.0, 5.0], "stack d/da");
    assert_array(&gs[1], &[3], &[2.0, 4.0, 6.0], "stack d/db");

    // split x (6,) into 3: f = sum(p0) + 2 sum(p1) + 3 sum(p2^2):
    // df/dx = [1, 1, 2, 2, 6 x4, 6 x5].
    let g = grad(
        |xs: &[Array]| {
            let p = split(&xs[0], 3, 0)?;
            let a = sum(&p[0], false)?;
            let b = (&sum(&p[1], false)? * 2.0)?;
            let c = (&sum(&square(&p[2])?, false)? * 3.0)?;
            Ok(vec![(&(&a + &b)? + &c)?])
        },
        &[0],
    )?;
    let gs = g(&[vec1(&range(0.0, 6))?])?;
    assert_array(&gs[0], &[6], &[1.0, 1.0, 2.0, 2.0, 24.0, 30.0], "split");
    Ok(())
}

#[test]
fn value_and_grad_differentiates_only_the_first_output() -> Result<()> {
    // f(x) = [sum(x^2), sum(x^3), 2x]: values all three, gradient of the first only (2x,
    // not 2x + 3x^2).
    let vag = value_and_grad(
        |xs: &[Array]| {
            let x = &xs[0];
            Ok(vec![
                sum(&square(x)?, false)?,
                sum(&(&square(x)? * x)?, false)?,
                (x * 2.0)?,
            ])
        },
        &[0],
    )?;
    let (vals, grads) = vag(&[vec1(&[1.0, 2.0, 3.0])?])?;
    assert_eq!(vals.len(), 3, "every output comes back as a value");
    assert_array(&vals[0], &[], &[14.0], "value 0");
    assert_array(&vals[1], &[], &[36.0], "value 1");
    assert_array(&vals[2], &[3], &[2.0, 4.0, 6.0], "value 2");
    assert_eq!(grads.len(), 1);
    assert_array(
        &grads[0],
        &[3],
        &[2.0, 4.0, 6.0],
        "gradient of output 0 only",
    );

    // Two argnums, with the first output depending on y only. (`grad` refuses several
    // outputs, as Python's does: see
    // `several_outputs_grad_refuses_value_and_grad_returns_aux`.)
    let g = value_and_grad(
        |xs: &[Array]| {
            Ok(vec![
                sum(&(&xs[1] * 5.0)?, false)?,
                sum(&exp(&xs[0])?, false)?,
            ])
        },
        &[0, 1],
    )?;
    let (_, gs) = g(&[vec1(&[1.0, 2.0])?, vec1(&[3.0, 4.0])?])?;
    assert_array(&gs[0], &[2], &[0.0, 0.0], "x only feeds output 1");
    assert_array(&gs[1], &[2], &[5.0, 5.0], "d/dy of output 0");
    Ok(())
}

/// `f(x, y) = [x y, x + y, sin x]` (elementwise, 3 elements).
fn three_outputs(xs: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![(&xs[0] * &xs[1])?, (&xs[0] + &xs[1])?, sin(&xs[0])?])
}

#[test]
fn vjp_with_several_outputs_and_primals() -> Result<()> {
    // vjp_x = c1 y + c2 + c3 cos x, vjp_y = c1 x + c2.
    let x = [0.5f32, -1.0, 2.0];
    let y = [3.0f32, 0.25, -2.0];
    let c1 = [1.0f32, 2.0, 3.0];
    let c2 = [-1.0f32, 0.5, 10.0];
    let c3 = [4.0f32, -3.0, 0.1];
    let (outs, vjps) = vjp(
        three_outputs,
        &[vec1(&x)?, vec1(&y)?],
        &[vec1(&c1)?, vec1(&c2)?, vec1(&c3)?],
    )?;
    assert_eq!(outs.len(), 3);
    assert_eq!(vjps.len(), 2, "one cotangent per primal");
    let xy: Vec<f32> = (0..3).map(|i| x[i] * y[i]).collect();
    let xpy: Vec<f32> = (0..3).map(|i| x[i] + y[i]).collect();
    let sx: Vec<f32> = x.iter().map(|v| v.sin()).collect();
    assert_close(&values(&outs[0])?, &xy, 1e-6, 1e-6, "output x y");
    assert_close(&values(&outs[1])?, &xpy, 1e-6, 1e-6, "output x + y");
    assert_close(&values(&outs[2])?, &sx, 1e-6, 1e-6, "output sin x");
    let vx: Vec<f32> = (0..3)
        .map(|i| c1[i] * y[i] + c2[i] + c3[i] * x[i].cos())
        .collect();
    let vy: Vec<f32> = (0..3).map(|i| c1[i] * x[i] + c2[i]).collect();
    assert_close(&values(&vjps[0])?, &vx, 1e-5, 1e-5, "vjp wrt x");
    assert_close(&values(&vjps[1])?, &vy, 1e-5, 1e-5, "vjp wrt y");
    Ok(())
}

#[test]
fn jvp_with_several_outputs_and_primals() -> Result<()> {
    // jvp = [y tx + x ty, tx + ty, cos(x) tx].
    let x = [0.5f32, -1.0, 2.0];
    let y = [3.0f32, 0.25, -2.0];
    let tx = [1.0f32, -2.0, 0.5];
    let ty = [0.0f32, 4.0, -1.5];
    let (outs, tans) = jvp(
        three_outputs,
        &[vec1(&x)?, vec1(&y)?],
        &[vec1(&tx)?, vec1(&ty)?],
    )?;
    assert_eq!(outs.len(), 3);
    assert_eq!(tans.len(), 3, "one tangent per output");
    let xy: Vec<f32> = (0..3).map(|i| x[i] * y[i]).collect();
    assert_close(&values(&outs[0])?, &xy, 1e-6, 1e-6, "output x y");
    let t0: Vec<f32> = (0..3).map(|i| y[i] * tx[i] + x[i] * ty[i]).collect();
    let t1: Vec<f32> = (0..3).map(|i| tx[i] + ty[i]).collect();
    let t2: Vec<f32> = (0..3).map(|i| x[i].cos() * tx[i]).collect();
    assert_close(&values(&tans[0])?, &t0, 1e-5, 1e-5, "tangent of x y");
    assert_close(&values(&tans[1])?, &t1, 1e-5, 1e-5, "tangent of x + y");
    assert_close(&values(&tans[2])?, &t2, 1e-5, 1e-5, "tangent of sin x");
    Ok(())
}

#[test]
fn third_and_fourth_derivatives_of_sin() -> Result<()> {
    let d1 = grad(|xs: &[Array]| Ok(vec![sin(&xs[0])?]), &[0])?;
    let d2 = grad(move |xs: &[Array]| d1(xs), &[0])?;
    let d3 = grad(move |xs: &[Array]| d2(xs), &[0])?;
    let d3 = std::rc::Rc::new(d3);
    let d3c = d3.clone();
    let d4 = grad(move |xs: &[Array]| d3c(xs), &[0])?;
    for x in [-1.3f32, 0.0, 0.5, 2.0, 3.5] {
        let third = d3(&[scalar(x)])?[0].item::<f32>()?;
        assert!(
            (third - -x.cos()).abs() <= 1e-5,
            "sin''' at {x}: got {third}, want -cos = {}",
            -x.cos()
        );
        let fourth = d4(&[scalar(x)])?[0].item::<f32>()?;
        assert!(
            (fourth - x.sin()).abs() <= 1e-5,
            "sin'''' at {x}: got {fourth}, want sin = {}",
            x.sin()
        );
    }
    // x^4: the third derivative is 24 x.
    let e1 = grad(|xs: &[Array]| Ok(vec![power(&xs[0], &scalar(4.0))?]), &[0])?;
    let e2 = grad(move |xs: &[Array]| e1(xs), &[0])?;
    let e3 = grad(move |xs: &[Array]| e2(xs), &[0])?;
    for x in [-2.0f32, 0.5, 1.5] {
        let third = e3(&[scalar(x)])?[0].item::<f32>()?;
        assert!((third - 24.0 * x).abs() <= 1e-4, "(x^4)''' at {x}: {third}");
    }
    Ok(())
}

/// `f(x, y) = x² y³ + sin(x y)`.
fn two_args(xs: &[Array]) -> Result<Vec<Array>> {
    let (x, y) = (&xs[0], &xs[1]);
    let a = (&square(x)? * &power(y, &scalar(3.0))?)?;
    Ok(vec![(&a + &sin(&(x * y)?)?)?])
}

#[test]
fn grad_of_grad_gives_second_and_mixed_partials() -> Result<()> {
    // f_x = 2x y³ + y cos(xy)                 f_y = 3x² y² + x cos(xy)
    // f_xx = 2y³ - y² sin(xy)                 f_yy = 6x² y - x² sin(xy)
    // f_xy = f_yx = 6x y² + cos(xy) - xy sin(xy)
    let gx = grad(two_args, &[0])?;
    let gy = grad(two_args, &[1])?;
    let gx_both = grad(move |xs: &[Array]| gx(xs), &[0, 1])?;
    let gy_x = grad(move |xs: &[Array]| gy(xs), &[0])?;
    let gy_y = grad(move |xs: &[Array]| grad(two_args, &[1])?(xs), &[1])?;
    for (x, y) in [(0.7f32, -1.2f32), (1.5, 0.4), (-0.3, 2.0)] {
        let (x64, y64) = (f64::from(x), f64::from(y));
        let p = x64 * y64;
        let fxx = 2.0 * y64.powi(3) - y64 * y64 * p.sin();
        let fyy = 6.0 * x64 * x64 * y64 - x64 * x64 * p.sin();
        let fxy = 6.0 * x64 * y64 * y64 + p.cos() - p * p.sin();
        let args = || [scalar(x), scalar(y)];
        let h = gx_both(&args())?;
        assert_eq!(h.len(), 2);
        let got = [
            h[0].item::<f32>()?,
            h[1].item::<f32>()?,
            gy_x(&args())?[0].item::<f32>()?,
            gy_y(&args())?[0].item::<f32>()?,
        ];
        let want = [fxx as f32, fxy as f32, fxy as f32, fyy as f32];
        assert_close(
            &got,
            &want,
            1e-5,
            1e-5,
            &format!("[f_xx, f_xy, f_yx, f_yy] at ({x}, {y})"),
        );
    }
    Ok(())
}

#[test]
fn jvp_of_grad_is_a_hessian_vector_product() -> Result<()> {
    // Forward over reverse: jvp(grad f, (x, y), (tx, ty)) = H (tx, ty) for the f above.
    let (x, y, tx, ty) = (0.7f32, -1.2f32, 2.0f32, -0.5f32);
    let (x64, y64) = (f64::from(x), f64::from(y));
    let p = x64 * y64;
    let fxx = 2.0 * y64.powi(3) - y64 * y64 * p.sin();
    let fyy = 6.0 * x64 * x64 * y64 - x64 * x64 * p.sin();
    let fxy = 6.0 * x64 * y64 * y64 + p.cos() - p * p.sin();
    let g = grad(two_args, &[0, 1])?;
    let (grads, hv) = jvp(
        move |xs: &[Array]| g(xs),
        &[scalar(x), scalar(y)],
        &[scalar(tx), scalar(ty)],
    )?;
    let fx = 2.0 * x64 * y64.powi(3) + y64 * p.cos();
    let fy = 3.0 * x64 * x64 * y64 * y64 + x64 * p.cos();
    assert_close(
        &[grads[0].item::<f32>()?, grads[1].item::<f32>()?],
        &[fx as f32, fy as f32],
        1e-5,
        1e-5,
        "gradient",
    );
    let (tx64, ty64) = (f64::from(tx), f64::from(ty));
    assert_close(
        &[hv[0].item::<f32>()?, hv[1].item::<f32>()?],
        &[
            (fxx * tx64 + fxy * ty64) as f32,
            (fxy * tx64 + fyy * ty64) as f32,
        ],
        1e-5,
        1e-5,
        "Hessian-vector product",
    );
    Ok(())
}

/// Several outputs: `grad` refuses them, as Python's `mx.grad` raises for a tuple;
/// `value_and_grad` treats the outputs after the first as auxiliary, as Python does for
/// `lambda x: ((x * x).sum(), x * 2)` at `x = [1, 2]`: value 5, aux `[2, 4]`, gradient
/// `[2, 4]` (Python MLX 0.32.2).
#[test]
fn several_outputs_grad_refuses_value_and_grad_returns_aux() -> Result<()> {
    let f = |xs: &[Array]| {
        Ok(vec![
            mlxrs::ops::sum(&(&xs[0] * &xs[0])?, false)?,
            (&xs[0] * 2.0)?,
        ])
    };
    let x = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    let g = mlxrs::transforms::grad(f, &[0])?;
    match g(std::slice::from_ref(&x)) {
        Err(mlxrs::Error::InvalidArgument { name: "f", reason }) => {
            assert!(
                reason.contains("grad: the function returned 2 outputs"),
                "{reason}"
            );
        }
        other => panic!("expected InvalidArgument for f, got {other:?}"),
    }
    let (values, grads) = mlxrs::transforms::value_and_grad(f, &[0])?(&[x])?;
    assert_eq!(values.len(), 2);
    assert_eq!(values[0].item::<f32>()?, 5.0);
    assert_eq!(values[1].to_vec::<f32>()?, [2.0, 4.0]);
    assert_eq!(grads[0].to_vec::<f32>()?, [2.0, 4.0]);
    Ok(())
}
