//! Loading from `Read + Seek` and saving to `Write + Seek` Rust objects: round trips,
//! truncated data, and reader/writer failures and panics, which must come back as the
//! outer call's `Err` (never unwinding through MLX, never aborting).

use std::collections::HashMap;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

use mlxrs::{Array, Dtype, Error, Result, io as mio};

use crate::support::{TempDir, backend_message};

fn npy_bytes(a: &Array) -> Result<Vec<u8>> {
    let mut buffer = Cursor::new(Vec::new());
    mio::save_to_writer(&mut buffer, a)?;
    Ok(buffer.into_inner())
}

fn sample() -> Result<Array> {
    Array::from_slice(&[1.5f32, -2.0, 3.25, 4.0, 5.5, 6.0], &[3, 2])
}

#[test]
fn npy_bytes_match_mlxs() -> Result<()> {
    // The exact bytes Python MLX 0.32.2 writes with `mx.save` for
    // mx.array([[1, 2], [3, 4]], dtype=mx.int32).
    let bytes = npy_bytes(&Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?)?;
    let mut expected = b"\x93NUMPY\x01\x00\x44\x00".to_vec();
    expected.extend(b"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2, )}        \n");
    for v in [1i32, 2, 3, 4] {
        expected.extend(v.to_le_bytes());
    }
    assert_eq!(bytes, expected);
    Ok(())
}

#[test]
fn round_trips_through_memory_and_files() -> Result<()> {
    let a = sample()?;
    let bytes = npy_bytes(&a)?;
    let b = mio::load_from_reader(Cursor::new(&bytes))?;
    assert_eq!(
        (b.shape(), b.to_vec::<f32>()?),
        (a.shape(), a.to_vec::<f32>()?)
    );
    // The same bytes as a file written by `save`.
    let dir = TempDir::new("readers");
    let path = dir.join("a.npy");
    mio::save(&path, &a)?;
    assert_eq!(std::fs::read(&path)?, bytes);
    // And a `File`, by value and by reference.
    let mut file = std::fs::File::open(&path)?;
    assert_eq!(
        mio::load_from_reader(&mut file)?.to_vec::<f32>()?,
        a.to_vec::<f32>()?
    );
    file.rewind()?;
    assert_eq!(mio::load_from_reader(file)?.shape(), &[3, 2]);
    // A writer by value: a File.
    let out = std::fs::File::create(dir.join("b.npy"))?;
    mio::save_to_writer(out, &a)?;
    assert_eq!(std::fs::read(dir.join("b.npy"))?, bytes);
    Ok(())
}

#[test]
fn readers_and_writers_work_from_their_current_position() -> Result<()> {
    // Data after a prefix: the reader is read from its current position on.
    let a = Array::from_slice(&[7u8, 8, 9], &[3])?;
    let mut bytes = b"PREFIX".to_vec();
    bytes.extend(npy_bytes(&a)?);
    let mut cursor = Cursor::new(bytes);
    cursor.seek(SeekFrom::Start(6))?;
    assert_eq!(
        mio::load_from_reader(&mut cursor)?.to_vec::<u8>()?,
        [7, 8, 9]
    );
    // Two files back to back in one buffer, written and read in turn.
    let arrays = HashMap::from([("x".to_string(), Array::from_slice(&[1.0f32, 2.0], &[2])?)]);
    let mut buffer = Cursor::new(b"HEAD".to_vec());
    buffer.seek(SeekFrom::End(0))?;
    mio::save_safetensors_to_writer(&mut buffer, &arrays, &HashMap::new())?;
    mio::save_to_writer(&mut buffer, &a)?;
    buffer.set_position(4);
    let (first, _) = mio::load_safetensors_from_reader(&mut buffer)?;
    assert_eq!(first["x"].to_vec::<f32>()?, [1.0, 2.0]);
    Ok(())
}

#[test]
fn safetensors_through_memory() -> Result<()> {
    let arrays = HashMap::from([
        ("a".to_string(), sample()?),
        ("b".to_string(), Array::from_slice(&[true, false], &[2])?),
    ]);
    let metadata = HashMap::from([("k".to_string(), "v".to_string())]);
    let mut buffer = Cursor::new(Vec::new());
    mio::save_safetensors_to_writer(&mut buffer, &arrays, &metadata)?;
    // The same bytes as the file version.
    let dir = TempDir::new("st-mem");
    let path = dir.join("m.safetensors");
    mio::save_safetensors(&path, &arrays, &metadata)?;
    assert_eq!(std::fs::read(&path)?, buffer.get_ref().as_slice());
    buffer.rewind()?;
    let (loaded, meta) = mio::load_safetensors_from_reader(&mut buffer)?;
    assert_eq!(meta, metadata);
    assert_eq!(loaded["a"].to_vec::<f32>()?, sample()?.to_vec::<f32>()?);
    assert_eq!(loaded["b"].to_vec::<bool>()?, [true, false]);
    Ok(())
}

#[test]
fn truncated_data_is_an_error_at_every_length() -> Result<()> {
    let bytes = npy_bytes(&sample()?)?;
    for cut in 0..bytes.len() {
        let result = mio::load_from_reader(Cursor::new(&bytes[..cut]));
        assert!(result.is_err(), "cut at {cut}: {result:?}");
    }
    // Short data after a complete header: our message, not MLX's (whose file reader
    // would repeat the last bytes).
    let err = mio::load_from_reader(Cursor::new(&bytes[..bytes.len() - 1])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "truncated .npy data: the array needs 24 bytes after the header, but only 23 follow"
    );
    // A short header is MLX's error, naming our reader.
    let msg = backend_message(mio::load_from_reader(Cursor::new(&bytes[..5])));
    assert!(
        msg.starts_with("[mlx_io_reader] unable to read 8 bytes (read 5 instead) in Rust reader"),
        "{msg}"
    );

    let mut st = Cursor::new(Vec::new());
    let arrays = HashMap::from([("a".to_string(), sample()?)]);
    mio::save_safetensors_to_writer(&mut st, &arrays, &HashMap::new())?;
    let st = st.into_inner();
    for cut in 0..st.len() {
        assert!(
            mio::load_safetensors_from_reader(Cursor::new(&st[..cut])).is_err(),
            "cut at {cut}"
        );
    }
    Ok(())
}

#[test]
fn huge_declared_lengths_are_errors() -> Result<()> {
    // .npy 2.0 with a 4 GiB header, and 1.0 with a 64 KiB one, over 20 bytes.
    let mut v2 = b"\x93NUMPY\x02\x00\xff\xff\xff\xff".to_vec();
    v2.extend([b' '; 20]);
    let err = mio::load_from_reader(Cursor::new(&v2)).unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == io::ErrorKind::InvalidData),
        "{err}"
    );
    let mut v1 = b"\x93NUMPY\x01\x00\xff\xff".to_vec();
    v1.extend([b' '; 20]);
    assert!(mio::load_from_reader(Cursor::new(&v1)).is_err());
    // A valid header declaring a huge array over no data.
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }";
    let mut npy = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
    npy.extend(format!("{header:<117}\n").as_bytes());
    let err = mio::load_from_reader(Cursor::new(&npy)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("truncated .npy data: the array needs 40000000000 bytes"),
        "{err}"
    );
    // Safetensors: a header length of 2^64 - 1, and one longer than the data.
    let mut st = u64::MAX.to_le_bytes().to_vec();
    st.extend(b"{}");
    let msg = backend_message(mio::load_safetensors_from_reader(Cursor::new(&st)));
    assert!(
        msg.starts_with("[load_safetensors] Invalid json header length"),
        "{msg}"
    );
    let mut st = 50u64.to_le_bytes().to_vec();
    st.extend(b"{}");
    let msg = backend_message(mio::load_safetensors_from_reader(Cursor::new(&st)));
    assert!(
        msg.contains("The JSON header is 50 bytes long but the file is only 10 bytes"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn wrong_magic_and_random_bytes_are_errors() -> Result<()> {
    let mut bytes = npy_bytes(&sample()?)?;
    bytes[1] = b'X';
    let msg = backend_message(mio::load_from_reader(Cursor::new(&bytes)));
    assert!(
        msg.starts_with("[load] Invalid header in Rust reader"),
        "{msg}"
    );
    let mut rng = crate::fuzz::SplitMix(5);
    for n in [1usize, 8, 9, 100, 4096] {
        let junk: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        assert!(mio::load_from_reader(Cursor::new(&junk)).is_err());
        assert!(mio::load_safetensors_from_reader(Cursor::new(&junk)).is_err());
    }
    Ok(())
}

/// Fails (or panics) once its position reaches `fail_at`.
struct Faulty {
    inner: Cursor<Vec<u8>>,
    fail_at: u64,
    panic: bool,
}

impl Faulty {
    fn check(&self) -> io::Result<()> {
        if self.inner.position() >= self.fail_at {
            if self.panic {
                panic!("reader panicked at {}", self.inner.position());
            }
            return Err(io::Error::other(format!(
                "disk failed at {}",
                self.inner.position()
            )));
        }
        Ok(())
    }
}

impl Read for Faulty {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.read(buf)
    }
}

impl Seek for Faulty {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

impl Write for Faulty {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn reader_errors_are_returned_by_the_call() -> Result<()> {
    let bytes = npy_bytes(&sample()?)?;
    let data_start = bytes.len() as u64 - 24;
    // In the magic, in the header, and in the data (read on MLX's I/O thread).
    for fail_at in [0, 9, 20, data_start] {
        let reader = Faulty {
            inner: Cursor::new(bytes.clone()),
            fail_at,
            panic: false,
        };
        let err = mio::load_from_reader(reader).unwrap_err();
        match &err {
            Error::Io(e) => assert!(e.to_string().starts_with("disk failed at"), "{e}"),
            other => panic!("fail_at {fail_at}: expected Error::Io, got {other:?}"),
        }
    }
    let st = {
        let mut c = Cursor::new(Vec::new());
        mio::save_safetensors_to_writer(
            &mut c,
            &HashMap::from([("a".to_string(), sample()?)]),
            &HashMap::new(),
        )?;
        c.into_inner()
    };
    for fail_at in [0, 8, st.len() as u64 - 24] {
        let reader = Faulty {
            inner: Cursor::new(st.clone()),
            fail_at,
            panic: false,
        };
        let err = mio::load_safetensors_from_reader(reader).unwrap_err();
        assert!(matches!(err, Error::Io(_)), "fail_at {fail_at}: {err:?}");
    }
    // MLX still works afterwards (no stale error poisons the stream).
    assert_eq!((&Array::from(2.0f32) * 3.0)?.item::<f32>()?, 6.0);
    Ok(())
}

#[test]
fn reader_panics_are_caught() -> Result<()> {
    let bytes = npy_bytes(&sample()?)?;
    let data_start = bytes.len() as u64 - 24;
    for fail_at in [0, 12, data_start] {
        let reader = Faulty {
            inner: Cursor::new(bytes.clone()),
            fail_at,
            panic: true,
        };
        let err = mio::load_from_reader(reader).unwrap_err();
        assert!(
            matches!(&err, Error::ClosurePanicked(m) if m.starts_with("reader panicked at")),
            "fail_at {fail_at}: {err:?}"
        );
    }
    assert_eq!((&Array::from(2.0f32) * 3.0)?.item::<f32>()?, 6.0);
    Ok(())
}

#[test]
fn writer_errors_and_panics_are_returned_by_the_call() -> Result<()> {
    let a = sample()?;
    for (fail_at, panic) in [(0, false), (10, false), (50, false), (0, true), (50, true)] {
        let writer = Faulty {
            inner: Cursor::new(Vec::new()),
            fail_at,
            panic,
        };
        let err = mio::save_to_writer(writer, &a).unwrap_err();
        if panic {
            assert!(matches!(&err, Error::ClosurePanicked(_)), "{err:?}");
        } else {
            assert!(
                matches!(&err, Error::Io(e) if e.to_string().starts_with("disk failed")),
                "{err:?}"
            );
        }
        let writer = Faulty {
            inner: Cursor::new(Vec::new()),
            fail_at,
            panic,
        };
        let arrays = HashMap::from([("a".to_string(), a.clone())]);
        let err = mio::save_safetensors_to_writer(writer, &arrays, &HashMap::new()).unwrap_err();
        assert!(
            matches!(err, Error::Io(_) | Error::ClosurePanicked(_)),
            "{err:?}"
        );
    }
    Ok(())
}

#[test]
fn lazy_inputs_are_evaluated_before_saving() -> Result<()> {
    let a = Array::from_slice(&[1.0f32, 2.0], &[2])?;
    let lazy = (&a + 1.0)?;
    let mut buffer = Cursor::new(Vec::new());
    mio::save_to_writer(&mut buffer, &lazy)?;
    buffer.rewind()?;
    assert_eq!(
        mio::load_from_reader(&mut buffer)?.to_vec::<f32>()?,
        [2.0, 3.0]
    );
    // A transposed (strided) array is written in row-major order.
    let t = mlxrs::ops::transpose_axes(
        &Array::from_slice(&[1i16, 2, 3, 4, 5, 6], &[2, 3])?,
        &[1, 0],
    )?;
    let mut buffer = Cursor::new(Vec::new());
    mio::save_to_writer(&mut buffer, &t)?;
    buffer.rewind()?;
    let back = mio::load_from_reader(&mut buffer)?;
    assert_eq!(
        (back.shape(), back.to_vec::<i16>()?),
        (&[3, 2][..], vec![1, 4, 2, 5, 3, 6])
    );
    assert_eq!(Array::zeros(&[1], Dtype::Int8)?.dtype(), Dtype::Int8);
    Ok(())
}

#[test]
fn nul_in_keys_is_an_invalid_argument() -> Result<()> {
    let arrays = HashMap::from([("a\0".to_string(), sample()?)]);
    let err = mio::save_safetensors_to_writer(Cursor::new(Vec::new()), &arrays, &HashMap::new())
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { name: "arrays", .. }),
        "{err}"
    );
    let metadata = HashMap::from([("k".to_string(), "v\0".to_string())]);
    let err = mio::save_safetensors_to_writer(Cursor::new(Vec::new()), &HashMap::new(), &metadata)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                name: "metadata",
                ..
            }
        ),
        "{err}"
    );
    Ok(())
}

#[test]
fn negative_dimensions_are_errors() -> Result<()> {
    // (-1) * (-1) * 4 bytes wraps to 4 in MLX's size check: the header passes it.
    let header = br#"{"x":{"dtype":"F32","shape":[-1,-1],"data_offsets":[0,4]}}"#;
    let mut st = (header.len() as u64).to_le_bytes().to_vec();
    st.extend(header);
    st.extend([0u8; 4]);
    let err = mio::load_safetensors_from_reader(Cursor::new(&st)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed .safetensors data: negative dimension in shape [-1, -1]"
    );
    let dir = TempDir::new("negative");
    let path = dir.join("n.safetensors");
    std::fs::write(&path, &st)?;
    assert!(mio::load_safetensors(&path).is_err());
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }";
    let mut npy = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
    npy.extend(format!("{header:<117}\n").as_bytes());
    npy.extend([0u8; 24]);
    let err = mio::load_from_reader(Cursor::new(&npy)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed .npy data: negative dimension in shape [-2, 3]"
    );
    Ok(())
}
