//! Interop with `ndarray` and the `safetensors` crate (features `ndarray`, `safetensors`;
//! `cargo xtask test` turns them on).

#[cfg(feature = "ndarray")]
mod ndarray_interop {
    use mlxrs::interop::ndarray::{as_ndarray_view, from_ndarray, to_ndarray};
    use mlxrs::{Array, Complex64, Error, Result};
    use ndarray::{Array2, Array3, ArrayD, IxDyn, ShapeBuilder, arr1, s};

    /// Expected values come from ndarray's own logical-order iteration.
    fn check<T: mlxrs::ArrayElement + PartialEq + std::fmt::Debug>(
        view: ndarray::ArrayViewD<'_, T>,
    ) -> Result<()> {
        let x = from_ndarray(&view)?;
        let shape: Vec<i32> = view.shape().iter().map(|&d| d as i32).collect();
        assert_eq!(x.shape(), &shape[..]);
        assert_eq!(x.to_vec::<T>()?, view.iter().copied().collect::<Vec<T>>());
        assert_eq!(to_ndarray::<T>(&x)?, view.to_owned());
        Ok(())
    }

    #[test]
    fn every_layout_comes_through_in_logical_order() -> Result<()> {
        let a = Array3::from_shape_fn((3, 4, 5), |(i, j, k)| (i * 100 + j * 10 + k) as f32);
        check(a.view().into_dyn())?; // standard layout
        check(a.t().into_dyn())?; // transposed: strided
        check(a.slice(s![.., 1..3, ..;2]).into_dyn())?; // sliced with a step
        check(a.slice(s![..;-1, .., 2]).into_dyn())?; // reversed (negative stride)
        let row = arr1(&[1.0f32, 2.0, 3.0]);
        check(row.broadcast((4, 3)).expect("broadcast").into_dyn())?; // stride 0
        let f =
            Array2::<f64>::from_shape_vec((2, 3).f(), vec![1., 2., 3., 4., 5., 6.]).expect("shape");
        check(f.view().into_dyn())?; // column-major
        let empty = ArrayD::<f32>::zeros(IxDyn(&[0, 3]));
        check(empty.view())?;
        let scalar = ArrayD::from_elem(IxDyn(&[]), 7i64);
        check(scalar.view())?;
        Ok(())
    }

    #[test]
    fn every_shared_element_type() -> Result<()> {
        check(arr1(&[true, false, true]).into_dyn().view())?;
        check(arr1(&[1u8, 255]).into_dyn().view())?;
        check(arr1(&[1u16, 65535]).into_dyn().view())?;
        check(arr1(&[1u32, u32::MAX]).into_dyn().view())?;
        check(arr1(&[1u64, u64::MAX]).into_dyn().view())?;
        check(arr1(&[-1i8, 127]).into_dyn().view())?;
        check(arr1(&[-1i16, 300]).into_dyn().view())?;
        check(arr1(&[-1i32, i32::MIN]).into_dyn().view())?;
        check(arr1(&[-1i64, i64::MAX]).into_dyn().view())?;
        check(arr1(&[half::f16::from_f32(0.5)]).into_dyn().view())?;
        check(arr1(&[half::bf16::from_f32(-2.5)]).into_dyn().view())?;
        check(arr1(&[1.5f64, -0.25]).into_dyn().view())?;
        check(arr1(&[Complex64::new(1.0, -2.0)]).into_dyn().view())?;
        Ok(())
    }

    #[test]
    fn views_borrow_without_copying_and_refuse_strided_data() -> Result<()> {
        let x = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3])?;
        let v = as_ndarray_view::<i32>(&x)?;
        assert_eq!(v[[1, 0]], 4);
        // The view's elements are MLX's buffer itself.
        assert_eq!(v.as_ptr(), x.as_slice::<i32>()?.as_ptr());
        let t = mlxrs::ops::transpose(&x)?;
        assert!(matches!(
            as_ndarray_view::<i32>(&t),
            Err(Error::InvalidArgument { .. })
        ));
        assert_eq!(to_ndarray::<i32>(&t)?, x_t());
        assert!(matches!(
            to_ndarray::<f32>(&x),
            Err(Error::DtypeMismatch { .. })
        ));
        // The TryFrom form.
        let y = Array::try_from(&arr1(&[1.0f32, 2.0]))?;
        assert_eq!(y.to_vec::<f32>()?, [1.0, 2.0]);
        Ok(())
    }

    fn x_t() -> ArrayD<i32> {
        ndarray::arr2(&[[1, 4], [2, 5], [3, 6]]).into_dyn()
    }
}

#[cfg(feature = "safetensors")]
mod safetensors_interop {
    use std::collections::{BTreeMap, HashMap};

    use mlxrs::interop::safetensors::{deserialize, from_tensor_view, serialize, to_tensor};
    use mlxrs::nn::{Linear, Module, UnaryLayer};
    use mlxrs::{Array, Complex64, Dtype, Error, Result};

    fn samples() -> Result<BTreeMap<String, Array>> {
        let mut m = BTreeMap::new();
        m.insert("b".into(), Array::from_slice(&[true, false], &[2])?);
        m.insert("u8".into(), Array::from_slice(&[0u8, 255], &[2])?);
        m.insert("i16".into(), Array::from_slice(&[-3i16, 7, 9, 1], &[2, 2])?);
        m.insert("u32".into(), Array::from_slice(&[u32::MAX], &[1])?);
        m.insert("i64".into(), Array::from_slice(&[i64::MIN, 5], &[2])?);
        m.insert(
            "f16".into(),
            Array::from_slice(&[half::f16::from_f32(0.5)], &[1, 1])?,
        );
        m.insert(
            "bf16".into(),
            Array::from_slice(&[half::bf16::from_f32(3.0)], &[1])?,
        );
        m.insert(
            "f32".into(),
            Array::from_slice(&[1.5f32, -2.0, 0.25], &[3, 1])?,
        );
        // A strided view is written in logical order.
        let t = mlxrs::ops::transpose(&Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3])?)?;
        m.insert("t".into(), t);
        Ok(m)
    }

    fn assert_same(a: &Array, b: &Array) -> Result<()> {
        assert_eq!((a.shape(), a.dtype()), (b.shape(), b.dtype()));
        let eq = mlxrs::ops::array_equal(a, b, false)?;
        assert!(eq.item::<bool>()?, "{a} vs {b}");
        Ok(())
    }

    #[test]
    fn the_crate_and_mlx_read_each_others_bytes() -> Result<()> {
        if crate::support::skip_on_gpu("float64 tensors") {
            return Ok(());
        }
        let arrays = samples()?;
        let dir = std::env::temp_dir().join(format!("mlxrs-st-interop-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        // The crate writes, MLX's own reader reads.
        let bytes = serialize(&arrays)?;
        let path = dir.join("crate.safetensors");
        std::fs::write(&path, &bytes)?;
        let (loaded, _) = mlxrs::io::load_safetensors(&path)?;
        assert_eq!(loaded.len(), arrays.len());
        for (k, v) in &arrays {
            assert_same(&loaded[k], v)?;
        }
        // MLX writes, the crate reads.
        let path2 = dir.join("mlx.safetensors");
        let hm: HashMap<String, Array> = arrays.clone().into_iter().collect();
        mlxrs::io::save_safetensors(&path2, &hm, &HashMap::new())?;
        let back = deserialize(&std::fs::read(&path2)?)?;
        for (k, v) in &arrays {
            assert_same(&back[k], v)?;
        }
        std::fs::remove_dir_all(&dir)?;
        // float64: MLX 0.32.2's safetensors reader rejects it ("[safetensor] unsupported
        // dtype F64"); the crate path carries it.
        let mut f = BTreeMap::new();
        f.insert(
            "f64".to_string(),
            Array::from_slice(&[2.5f64, -1e300], &[2])?,
        );
        assert_same(&deserialize(&serialize(&f)?)?["f64"], &f["f64"])?;
        Ok(())
    }

    #[test]
    fn tensor_views_and_errors() -> Result<()> {
        let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
        let t = to_tensor(&x)?;
        let v = t.view()?;
        assert_eq!(v.shape(), &[2, 2]);
        assert_same(&from_tensor_view(&v)?, &x)?;
        let c = Array::from_slice(&[Complex64::new(1.0, 1.0)], &[1])?;
        let err = to_tensor(&c).expect_err("complex64 has no safetensors dtype");
        assert!(err.to_string().contains("complex64"), "{err}");
        let err = deserialize(b"not safetensors").expect_err("garbage");
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
        assert!(err.to_string().contains("safetensors"), "{err}");
        // A bool byte that is not 0 or 1 is refused.
        let bad = safetensors::tensor::TensorView::new(safetensors::Dtype::BOOL, vec![1], &[2u8])
            .expect("view");
        assert!(from_tensor_view(&bad).is_err());
        // An fp8 tensor has no MLX dtype.
        let f8 = safetensors::tensor::TensorView::new(safetensors::Dtype::F8_E4M3, vec![1], &[0u8])
            .expect("view");
        assert!(
            from_tensor_view(&f8)
                .unwrap_err()
                .to_string()
                .contains("F8_E4M3")
        );
        Ok(())
    }

    #[test]
    fn model_weights_move_through_the_crate_without_files() -> Result<()> {
        let a = Linear::new(3, 2, true)?;
        let bytes = serialize(&a.parameters())?;
        let mut b = Linear::new(3, 2, true)?;
        b.update(&deserialize(&bytes)?)?;
        let x = Array::ones(&[1, 3], Dtype::Float32)?;
        assert_same(&a.forward(&x)?, &b.forward(&x)?)?;
        Ok(())
    }
}
