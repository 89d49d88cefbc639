//! Unit tests of the index normalization, and a few hand-computed index results.

use super::*;

fn span(start: Option<i32>, stop: Option<i32>, step: i32, n: i32) -> (i32, i32, i32, i32) {
    let s = Span::new(start, stop, step, n).unwrap();
    (s.start, s.stop, s.step, s.len)
}

#[test]
fn spans_follow_python_slices() {
    assert_eq!(span(None, None, 1, 5), (0, 5, 1, 5));
    assert_eq!(span(Some(-2), None, 1, 5), (3, 5, 1, 2));
    assert_eq!(span(Some(1), Some(100), 2, 5), (1, 5, 2, 2));
    assert_eq!(span(None, None, -1, 5), (4, -6, -1, 5));
    assert_eq!(span(Some(3), Some(0), -1, 5), (3, 0, -1, 3));
    assert_eq!(span(Some(10), Some(0), -2, 5), (4, 0, -2, 2));
    assert_eq!(span(Some(3), Some(1), 1, 5), (0, 0, 1, 0));
    assert!(Span::new(None, None, 0, 5).is_err());
}

#[test]
fn inclusive_ranges_include_their_end() {
    assert!(matches!(Idx::from(..=-1), Idx::Range { stop: None, .. }));
    assert!(matches!(
        Idx::from(1..=3),
        Idx::Range {
            start: Some(1),
            stop: Some(4),
            step: 1
        }
    ));
}

fn grid() -> Array {
    // [[[0..4], [4..8], [8..12]], [[12..16], [16..20], [20..24]]]
    Array::arange(0.0, 24.0, 1.0, Dtype::Int32)
        .and_then(|a| a.reshape(&[2, 3, 4]))
        .unwrap()
}

fn ints(v: &[i32]) -> Idx {
    Idx::Array(Array::from_slice(v, &[v.len()]).unwrap())
}

fn check(got: Result<Array>, shape: &[i32], values: &[i32]) {
    let got = got.unwrap();
    assert_eq!(got.shape(), shape);
    assert_eq!(got.to_vec::<i32>().unwrap(), values);
}

#[test]
fn advanced_indices_go_where_numpy_puts_them() {
    let a = grid();
    // Separated by an ellipsis: the broadcast dimension goes first.
    // a[1, :, 3] = [15, 19, 23]; a[0, :, 0] = [0, 4, 8].
    check(
        a.index(&[ints(&[1, 0]), Idx::Ellipsis, ints(&[3, 0])]),
        &[2, 3],
        &[15, 19, 23, 0, 4, 8],
    );
    // Adjacent after a slice: in place. a[0, 2, 0] = 8; a[0, 1, 3] = 7.
    check(
        a.index(&[(0..1).into(), ints(&[2, 1]), ints(&[0, 3])]),
        &[1, 2],
        &[8, 7],
    );
    // An integer counts as an array index; a new axis separates: B first.
    check(
        a.index(&[1.into(), Idx::NewAxis, ints(&[0, 2])]),
        &[2, 1, 4],
        &[12, 13, 14, 15, 20, 21, 22, 23],
    );
}

#[test]
fn index_put_writes_broadcast_values() {
    let z = Array::zeros(&[2, 3, 4], Dtype::Int32).unwrap();
    // z[[1, 0], None, 0:2] = 9 sets rows 0 and 1 of both blocks.
    let mut want = vec![0; 24];
    for b in 0..2 {
        for r in 0..2 {
            for c in 0..4 {
                want[b * 12 + r * 4 + c] = 9;
            }
        }
    }
    check(
        z.index_put(
            &[ints(&[1, 0]), Idx::NewAxis, (0..2).into()],
            &Array::from(9i32),
        ),
        &[2, 3, 4],
        &want,
    );
    // z[1, -1, ::-3] = [1, 2]: positions 3 and 0 of the last row of block 1.
    let mut want = vec![0; 24];
    want[20 + 3] = 1;
    want[20] = 2;
    check(
        z.index_put(
            &[1.into(), (-1).into(), s(None, None, -3)],
            &Array::from_slice(&[1i32, 2], &[2]).unwrap(),
        ),
        &[2, 3, 4],
        &want,
    );
}

/// Python drops the value's leading size-1 dimensions before broadcasting; expected
/// values from Python MLX 0.32.2.
#[test]
fn index_put_drops_leading_singleton_dims_of_value() {
    let f = |v: &[f32], shape: &[i32]| Array::from_slice(v, shape).unwrap();
    // a = zeros(4); a[2] = mx.array([3.0]) -> [0, 0, 3, 0]
    let a = Array::zeros(&[4], Dtype::Float32).unwrap();
    let got = a.index_put(&[2.into()], &f(&[3.0], &[1])).unwrap();
    assert_eq!(got.shape(), [4]);
    assert_eq!(got.to_vec::<f32>().unwrap(), [0.0, 0.0, 3.0, 0.0]);
    // a = zeros((2, 3)); a[0] = ones((1, 1, 3)) -> first row ones
    let z = Array::zeros(&[2, 3], Dtype::Float32).unwrap();
    let got = z.index_put(&[0.into()], &f(&[1.0; 3], &[1, 1, 3])).unwrap();
    assert_eq!(got.to_vec::<f32>().unwrap(), [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    // a[1:2] = ones((1, 1, 3)) -> second row ones
    let got = z
        .index_put(&[(1..2).into()], &f(&[1.0; 3], &[1, 1, 3]))
        .unwrap();
    assert_eq!(got.to_vec::<f32>().unwrap(), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    // Array indices: a[0, [0, 2]] = [[[5, 6]]] -> [[5, 0, 6], [0, 0, 0]]
    let cols = Array::from_slice(&[0i32, 2], &[2]).unwrap();
    let got = z
        .index_put(&[0.into(), cols.into()], &f(&[5.0, 6.0], &[1, 1, 2]))
        .unwrap();
    assert_eq!(got.to_vec::<f32>().unwrap(), [5.0, 0.0, 6.0, 0.0, 0.0, 0.0]);
    // A leading dimension that is not 1 still fails to broadcast, as in Python.
    assert!(
        z.index_put(
            &[0.into()],
            &Array::ones(&[2, 1, 3], Dtype::Float32).unwrap()
        )
        .is_err()
    );
}
