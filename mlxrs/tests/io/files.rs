//! Loading and saving by path (Python: python/tests/test_load.py): round trips of every
//! format, and clean errors for missing, truncated, malformed files and bad paths.

use std::collections::HashMap;

use mlxrs::{Array, Complex64, Dtype, Error, GgufMetadata, Result, io};

use crate::support::{TempDir, backend_message};

/// One array of each dtype `.npy` and `.safetensors` can hold.
fn every_dtype() -> Result<Vec<Array>> {
    Ok(vec![
        Array::from_slice(&[true, false], &[2])?,
        Array::from_slice(&[1u8, 255], &[2])?,
        Array::from_slice(&[1u16, 65535], &[2])?,
        Array::from_slice(&[1u32, u32::MAX], &[2])?,
        Array::from_slice(&[1u64, u64::MAX], &[2])?,
        Array::from_slice(&[-1i8, 127], &[2])?,
        Array::from_slice(&[-1i16, 300], &[2])?,
        Array::from_slice(&[-1i32, 1 << 30], &[2])?,
        Array::from_slice(&[-1i64, 1 << 40], &[2])?,
        Array::from_slice(&[half::f16::from_f32(0.5), half::f16::from_f32(-2.0)], &[2])?,
        Array::from_slice(
            &[half::bf16::from_f32(0.5), half::bf16::from_f32(-2.0)],
            &[2],
        )?,
        Array::from_slice(&[0.25f32, -1e30], &[2])?,
        Array::from_slice(&[Complex64::new(1.0, -2.0), Complex64::new(0.0, 3.5)], &[2])?,
    ])
}

fn same(a: &Array, b: &Array) -> Result<()> {
    assert_eq!((a.shape(), a.dtype()), (b.shape(), b.dtype()));
    assert_eq!(a.as_bytes()?, b.as_bytes()?, "{a} vs {b}");
    Ok(())
}

#[test]
fn npy_round_trips_every_dtype_and_shape() -> Result<()> {
    let dir = TempDir::new("npy");
    let mut arrays = every_dtype()?;
    arrays.push(Array::from_slice(
        &[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0],
        &[1, 2, 3],
    )?);
    arrays.push(Array::from(7.5f32)); // 0-d
    arrays.push(Array::zeros(&[0, 4], Dtype::Int32)?); // empty
    for (i, a) in arrays.iter().enumerate() {
        let path = dir.join(&format!("a{i}.npy"));
        io::save(&path, a)?;
        same(&io::load(&path)?, a)?;
    }
    // MLX appends `.npy` when the name lacks it (Python: mx.save).
    io::save(dir.join("plain"), &arrays[0])?;
    same(&io::load(dir.join("plain.npy"))?, &arrays[0])?;
    Ok(())
}

/// A version 1.0 `.npy` file with `header`, padded as NumPy does (to 64 bytes), then
/// `data`.
fn npy_v1(header: &str, data: &[u8]) -> Vec<u8> {
    let len = (10 + header.len() + 1).div_ceil(64) * 64 - 10;
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((len as u16).to_le_bytes());
    bytes.extend(format!("{header:<width$}\n", width = len - 1).as_bytes());
    bytes.extend(data);
    bytes
}

#[test]
fn npy_written_by_numpy_loads() -> Result<()> {
    // What `np.save` writes for np.asfortranarray(np.arange(6, dtype='<i2').reshape(2, 3)):
    // column-major data of [[0, 1, 2], [3, 4, 5]].
    let dir = TempDir::new("npy-fortran");
    let data: Vec<u8> = [0i16, 3, 1, 4, 2, 5]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let bytes = npy_v1(
        "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }",
        &data,
    );
    assert_eq!(bytes.len(), 128 + 12);
    let path = dir.join("f.npy");
    std::fs::write(&path, &bytes)?;
    let a = io::load(&path)?;
    assert_eq!(a.shape(), &[2, 3]);
    assert_eq!(a.to_vec::<i16>()?, [0, 1, 2, 3, 4, 5]);
    // Big-endian data is swapped.
    let bytes = npy_v1(
        "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
        &[0, 0, 1, 0, 0, 0, 0, 7],
    );
    std::fs::write(&path, &bytes)?;
    assert_eq!(io::load(&path)?.to_vec::<i32>()?, [256, 7]);
    Ok(())
}

#[test]
fn safetensors_round_trip_with_metadata() -> Result<()> {
    let dir = TempDir::new("st");
    let arrays: HashMap<String, Array> = every_dtype()?
        .into_iter()
        .enumerate()
        .map(|(i, a)| (format!("layer.{i}"), a))
        .collect();
    let metadata = HashMap::from([
        ("format".to_string(), "mlx".to_string()),
        ("note".to_string(), "100% ünïcode".to_string()),
    ]);
    let path = dir.join("m.safetensors");
    io::save_safetensors(&path, &arrays, &metadata)?;
    let (loaded, meta) = io::load_safetensors(&path)?;
    assert_eq!(meta, metadata);
    assert_eq!(loaded.len(), arrays.len());
    for (name, a) in &arrays {
        same(&loaded[name], a)?;
    }
    // No arrays, no metadata; and the suffix is appended.
    io::save_safetensors(dir.join("empty"), &HashMap::new(), &HashMap::new())?;
    let (loaded, meta) = io::load_safetensors(dir.join("empty.safetensors"))?;
    assert!(loaded.is_empty() && meta.is_empty());
    Ok(())
}

#[test]
fn gguf_round_trip_with_every_metadata_kind() -> Result<()> {
    let dir = TempDir::new("gguf");
    let arrays = HashMap::from([
        (
            "f32".to_string(),
            Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?,
        ),
        (
            "f16".to_string(),
            Array::from_slice(&[half::f16::from_f32(1.5)], &[1])?,
        ),
        ("i8".to_string(), Array::from_slice(&[-3i8, 4], &[2])?),
        ("i16".to_string(), Array::from_slice(&[-300i16], &[1])?),
        (
            "i32".to_string(),
            Array::from_slice(&[7i32, 8, 9], &[3, 1])?,
        ),
    ]);
    let metadata = HashMap::from([
        ("general.name".to_string(), GgufMetadata::from("tiny")),
        (
            "tokens".to_string(),
            GgufMetadata::Strings(vec!["<s>".into(), "é".into(), String::new()]),
        ),
        (
            "u32s".to_string(),
            GgufMetadata::Array(Array::from_slice(&[1u32, 2, 3], &[3])?),
        ),
        (
            "scalar".to_string(),
            GgufMetadata::Array(Array::from(2.5f32)),
        ),
        ("flag".to_string(), GgufMetadata::Array(Array::from(true))),
        ("big".to_string(), GgufMetadata::Array(Array::from(-5i64))),
    ]);
    let path = dir.join("m.gguf");
    io::save_gguf(&path, &arrays, &metadata)?;
    let (loaded, meta) = io::load_gguf(&path)?;
    assert_eq!(loaded.len(), arrays.len());
    for (name, a) in &arrays {
        same(&loaded[name], a)?;
    }
    assert_eq!(meta.len(), metadata.len(), "{meta:?}");
    assert!(matches!(&meta["general.name"], GgufMetadata::String(s) if s == "tiny"));
    assert!(matches!(&meta["tokens"], GgufMetadata::Strings(v) if v == &["<s>", "é", ""]));
    let GgufMetadata::Array(u) = &meta["u32s"] else {
        panic!("{meta:?}")
    };
    assert_eq!(u.to_vec::<u32>()?, [1, 2, 3]);
    let GgufMetadata::Array(s) = &meta["scalar"] else {
        panic!("{meta:?}")
    };
    assert_eq!((s.ndim(), s.item::<f32>()?), (0, 2.5));
    let GgufMetadata::Array(f) = &meta["flag"] else {
        panic!("{meta:?}")
    };
    assert!(f.item::<bool>()?);
    let GgufMetadata::Array(b) = &meta["big"] else {
        panic!("{meta:?}")
    };
    assert_eq!(b.item::<i64>()?, -5);
    Ok(())
}

#[test]
fn gguf_rejects_what_mlx_cannot_store() -> Result<()> {
    let dir = TempDir::new("gguf-bad");
    let path = dir.join("bad.gguf");
    let arrays = HashMap::from([("x".to_string(), Array::from_slice(&[1u8], &[1])?)]);
    let msg = backend_message(io::save_gguf(&path, &arrays, &HashMap::new()));
    assert!(
        msg.starts_with("[save_gguf] dtype uint8 is not supported"),
        "{msg}"
    );
    let metadata = HashMap::from([(
        "m".to_string(),
        GgufMetadata::Array(Array::zeros(&[2, 2], Dtype::Float32)?),
    )]);
    let msg = backend_message(io::save_gguf(&path, &HashMap::new(), &metadata));
    assert_eq!(
        msg,
        "[save_gguf] Cannot save arrays with more than one dimension."
    );
    Ok(())
}

#[test]
fn missing_files_and_directories_are_errors() -> Result<()> {
    let dir = TempDir::new("missing");
    let missing = dir.join("nope.npy");
    // The path loaders read the file themselves (once), so a missing one is an I/O
    // error of kind NotFound, worded as MLX words it.
    let not_found = |r: Result<()>, prefix: &str| match r {
        Err(Error::Io(e)) => {
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{e}");
            assert!(e.to_string().starts_with(prefix), "{e}");
        }
        other => panic!("expected Err(Error::Io(..)), got {other:?}"),
    };
    not_found(io::load(&missing).map(drop), "[load] Failed to open file");
    not_found(
        io::load_safetensors(dir.join("nope.safetensors")).map(drop),
        "[load_safetensors] Failed to open file",
    );
    not_found(
        io::load_gguf(dir.join("nope.gguf")).map(drop),
        "[load_gguf] Failed to open file",
    );
    // A directory opens on Linux, but reads fail: an error either way, at load or eval.
    let loaded = io::load(dir.path()).and_then(|a| a.eval());
    assert!(loaded.is_err());
    let msg = backend_message(io::save(
        dir.join("no/such/dir/x.npy"),
        &Array::from(1.0f32),
    ));
    assert!(msg.starts_with("[save] Failed to open"), "{msg}");
    Ok(())
}

#[test]
fn bad_paths_are_invalid_arguments() -> Result<()> {
    let a = Array::from(1.0f32);
    let err = io::save("a\0b.npy", &a).unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { name: "path", .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("a\\0b.npy"),
        "names the path: {err}"
    );
    // MLX quotes the path in its error; mlx-c 0.7.0 passed that to printf as the format,
    // mlxrs-sys builds it with a fix: the text arrives intact.
    let err = io::load("/nonexistent/%s%s%n.npy").unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err}");
    assert!(err.to_string().contains("%s%s%n.npy"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"/tmp/\xff.npy"));
        let err = io::load_gguf(path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid `path`: /tmp/\u{fffd}.npy is not valid UTF-8"
        );
    }
    Ok(())
}

/// `bytes` cut at several lengths, including 0 and one short of whole.
fn cuts(len: usize) -> Vec<usize> {
    let mut v: Vec<usize> = vec![0, 1, 4, 7, 8, 9, 10, 16, 24, 32, 50, len / 2, len - 1];
    v.retain(|&c| c < len);
    v.sort_unstable();
    v.dedup();
    v
}

#[test]
fn truncated_files_are_errors() -> Result<()> {
    let dir = TempDir::new("truncated");
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
    let whole = dir.join("whole.npy");
    io::save(&whole, &a)?;
    let npy = std::fs::read(&whole)?;
    let arrays = HashMap::from([
        ("a".to_string(), a.clone()),
        ("b".to_string(), Array::from(1i32)),
    ]);
    let st_path = dir.join("whole.safetensors");
    io::save_safetensors(&st_path, &arrays, &HashMap::new())?;
    let st = std::fs::read(&st_path)?;
    let gguf_path = dir.join("whole.gguf");
    let metadata = HashMap::from([("name".to_string(), GgufMetadata::from("x"))]);
    io::save_gguf(
        &gguf_path,
        &HashMap::from([("a".to_string(), a)]),
        &metadata,
    )?;
    let gguf = std::fs::read(&gguf_path)?;

    let cut_path = |ext: &str| dir.join(&format!("cut.{ext}"));
    for cut in cuts(npy.len()) {
        std::fs::write(cut_path("npy"), &npy[..cut])?;
        // Lazy: the header may pass, and the short data fail at evaluation.
        let result = io::load(cut_path("npy")).and_then(|a| a.eval());
        assert!(result.is_err(), "npy cut at {cut}");
    }
    for cut in cuts(st.len()) {
        std::fs::write(cut_path("safetensors"), &st[..cut])?;
        let result = io::load_safetensors(cut_path("safetensors"))
            .and_then(|(m, _)| mlxrs::transforms::eval(&m.values().collect::<Vec<_>>()));
        assert!(result.is_err(), "safetensors cut at {cut}");
    }
    for cut in cuts(gguf.len()) {
        std::fs::write(cut_path("gguf"), &gguf[..cut])?;
        assert!(
            io::load_gguf(cut_path("gguf")).is_err(),
            "gguf cut at {cut}"
        );
    }
    Ok(())
}

#[test]
fn truncated_safetensors_message_is_mlxs() -> Result<()> {
    let dir = TempDir::new("st-msg");
    let path = dir.join("x.safetensors");
    let arrays = HashMap::from([("a".to_string(), Array::zeros(&[16], Dtype::Float32)?)]);
    io::save_safetensors(&path, &arrays, &HashMap::new())?;
    let bytes = std::fs::read(&path)?;
    std::fs::write(&path, &bytes[..bytes.len() - 4])?;
    let msg = backend_message(io::load_safetensors(&path));
    assert_eq!(
        msg,
        "[load_safetensors] Tensor 'a' invalid data offsets (0, 64) exceeding the size of \
         the file. Perhaps an incomplete download or corrupt file?"
    );
    Ok(())
}

#[test]
fn wrong_magic_random_bytes_and_huge_lengths_are_errors() -> Result<()> {
    let dir = TempDir::new("garbage");
    let path = |ext: &str| dir.join(&format!("g.{ext}"));
    let mut rng = crate::fuzz::SplitMix(99);
    for n in [0usize, 3, 64, 1000] {
        let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        for ext in ["npy", "safetensors", "gguf"] {
            std::fs::write(path(ext), &bytes)?;
        }
        assert!(io::load(path("npy")).and_then(|a| a.eval()).is_err());
        assert!(io::load_safetensors(path("safetensors")).is_err());
        assert!(io::load_gguf(path("gguf")).is_err());
    }
    // Wrong magic.
    std::fs::write(path("npy"), b"\x93NUMPZ\x01\x00\x00\x00")?;
    // The path loaders read the file once and hand MLX the bytes through its reader.
    let msg = backend_message(io::load(path("npy")));
    assert!(
        msg.starts_with("[load] Invalid header in Rust reader"),
        "{msg}"
    );
    std::fs::write(
        path("gguf"),
        b"GGUX\x03\x00\x00\x00\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    )?;
    assert_eq!(
        backend_message(io::load_gguf(path("gguf"))),
        "[load_gguf] gguf_init failed"
    );
    // Huge declared header lengths.
    let mut npy = b"\x93NUMPY\x02\x00\xff\xff\xff\xff".to_vec();
    npy.extend([b' '; 100]);
    std::fs::write(path("npy"), &npy)?;
    let err = io::load(path("npy")).unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData),
        "{err}"
    );
    assert!(err.to_string().contains("4294967295 bytes long"), "{err}");
    let mut st = u64::MAX.to_le_bytes().to_vec();
    st.extend(b"{}");
    std::fs::write(path("safetensors"), &st)?;
    let msg = backend_message(io::load_safetensors(path("safetensors")));
    assert!(
        msg.starts_with("[load_safetensors] Invalid json header length"),
        "{msg}"
    );
    let mut st = 1_000_000u64.to_le_bytes().to_vec();
    st.extend(b"{}");
    std::fs::write(path("safetensors"), &st)?;
    let msg = backend_message(io::load_safetensors(path("safetensors")));
    assert!(
        msg.starts_with("[load_safetensors] The JSON header is 1000000 bytes long"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn percent_in_file_content_never_reaches_printf() -> Result<()> {
    // MLX quotes these bytes in its errors; mlx-c would use them as a printf format.
    let dir = TempDir::new("percent");
    let path = dir.join("p.safetensors");
    for header in [
        r#"{"x":{"dtype":"%s%s%s%n","shape":[1],"data_offsets":[0,4]}}"#,
        r#"{"x%s%n":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#,
        r#"{"%s%s%s%s%n" 1}"#,
    ] {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(header.as_bytes());
        bytes.extend([0u8; 4]);
        std::fs::write(&path, &bytes)?;
        let err = io::load_safetensors(&path).unwrap_err();
        // MLX's own message (its safetensors or JSON parser), arriving intact
        assert!(matches!(err, Error::Backend(_)), "{header}: {err}");
    }
    // A valid header may hold a `%` (here in a name and in metadata): it loads.
    let arrays = HashMap::from([("w%d".to_string(), Array::from_slice(&[1.0f32], &[1])?)]);
    let metadata = HashMap::from([("note%s".to_string(), "50%".to_string())]);
    io::save_safetensors(&path, &arrays, &metadata)?;
    let (loaded, meta) = io::load_safetensors(&path)?;
    assert_eq!(loaded["w%d"].to_vec::<f32>()?, [1.0]);
    assert_eq!(meta["note%s"], "50%");
    // A .npy header with one: MLX's own error, quoting it intact.
    let npy = npy_v1(
        "{'descr': '%s%', 'fortran_order': False, 'shape': (1,), }",
        &[0u8; 4],
    );
    let npy_path = dir.join("p.npy");
    std::fs::write(&npy_path, &npy)?;
    let err = io::load(&npy_path).unwrap_err();
    assert_eq!(
        err.to_string(),
        "[from_str] Unsupported array protocol type-string: %s%"
    );
    Ok(())
}

/// A named pipe at `path` that serves `bytes` once, to the first reader that opens it;
/// returns the writer thread. A second open of the path (a loader reopening its file
/// after checking it) would block until someone writes again.
#[cfg(unix)]
fn one_shot_fifo(
    path: &std::path::Path,
    bytes: Vec<u8>,
) -> std::thread::JoinHandle<std::io::Result<()>> {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        // Opening for writing blocks until a reader opens the pipe.
        let mut pipe = std::fs::OpenOptions::new().write(true).open(&path)?;
        std::io::Write::write_all(&mut pipe, &bytes)
    })
}

#[cfg(unix)]
#[test]
fn path_loaders_read_the_file_once_and_load_the_checked_bytes() -> Result<()> {
    use std::sync::mpsc;
    use std::time::Duration;
    let dir = TempDir::new("read-once");
    let a = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    let arrays = HashMap::from([("x".to_string(), a.clone())]);
    for ext in ["npy", "safetensors", "gguf"] {
        let file = dir.join(&format!("x.{ext}"));
        match ext {
            "npy" => io::save(&file, &a)?,
            "safetensors" => io::save_safetensors(&file, &arrays, &HashMap::new())?,
            _ => io::save_gguf(&file, &arrays, &HashMap::new())?,
        }
        // The file's bytes, served once by a pipe: a loader that checked them and then
        // had MLX open the path again would block on that second open.
        let pipe = dir.join(&format!("pipe.{ext}"));
        let writer = one_shot_fifo(&pipe, std::fs::read(&file)?);
        let (done, outcome) = mpsc::channel();
        let load_path = pipe.clone();
        let kind = ext.to_string();
        std::thread::spawn(move || {
            let loaded = match kind.as_str() {
                "npy" => io::load(&load_path).map(Some),
                "safetensors" => io::load_safetensors(&load_path).map(|(mut m, _)| m.remove("x")),
                _ => io::load_gguf(&load_path).map(|(mut m, _)| m.remove("x")),
            }
            .and_then(|x| {
                x.ok_or_else(|| Error::Backend("no array `x`".into()))?
                    .to_vec::<f32>()
            });
            let _ = done.send(loaded);
        });
        match outcome.recv_timeout(Duration::from_secs(120)) {
            Ok(values) => assert_eq!(values?, [1.0, 2.0], "{ext}"),
            Err(_) => {
                // Unblock the stuck second open before failing.
                let _ = std::fs::write(&pipe, b"");
                panic!("{ext}: the loader opened its path a second time");
            }
        }
        writer.join().expect("writer thread")?;
    }
    Ok(())
}
