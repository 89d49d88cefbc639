//! Hand-made GGUF files: valid ones (quantized and converted tensor types, every kind of
//! metadata) and malformed ones that would make MLX 0.32.2 read out of bounds, abort on
//! a gguflib `assert`, or divide by zero, had mlxrs not checked the header first. Each
//! must load or fail with an `Err`; the process must survive.

use std::path::Path;

use mlxrs::{Error, GgufMetadata, Result, io};

use crate::support::{TempDir, backend_message};

const U32: u32 = 4;
const F64: u32 = 12;
const STRING: u32 = 8;
const ARRAY: u32 = 9;

/// A GGUF file under construction (little-endian, version 3, alignment 32).
#[derive(Default)]
struct Gguf {
    kvs: Vec<u8>,
    kv_count: u64,
    infos: Vec<u8>,
    tensor_count: u64,
    data: Vec<u8>,
    alignment: usize,
}

fn gstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend((s.len() as u64).to_le_bytes());
    out.extend(s);
}

impl Gguf {
    fn new() -> Gguf {
        Gguf {
            alignment: 32,
            ..Gguf::default()
        }
    }

    /// A key with a raw value of `value_type`.
    fn kv(mut self, key: &[u8], value_type: u32, value: &[u8]) -> Gguf {
        gstr(&mut self.kvs, key);
        self.kvs.extend(value_type.to_le_bytes());
        self.kvs.extend(value);
        self.kv_count += 1;
        self
    }

    fn kv_str(self, key: &str, value: &str) -> Gguf {
        let mut v = Vec::new();
        gstr(&mut v, value.as_bytes());
        self.kv(key.as_bytes(), STRING, &v)
    }

    /// A tensor info with GGUF-order `dims`, relative `offset`, and its data appended.
    fn tensor(
        mut self,
        name: &[u8],
        dims: &[u64],
        tensor_type: u32,
        offset: u64,
        data: &[u8],
    ) -> Gguf {
        gstr(&mut self.infos, name);
        self.infos.extend((dims.len() as u32).to_le_bytes());
        for d in dims {
            self.infos.extend(d.to_le_bytes());
        }
        self.infos.extend(tensor_type.to_le_bytes());
        self.infos.extend(offset.to_le_bytes());
        self.data.extend(data);
        self.tensor_count += 1;
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend(3u32.to_le_bytes());
        out.extend(self.tensor_count.to_le_bytes());
        out.extend(self.kv_count.to_le_bytes());
        out.extend(&self.kvs);
        out.extend(&self.infos);
        while out.len() % self.alignment != 0 {
            out.push(0);
        }
        out.extend(&self.data);
        out
    }
}

fn f32s(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn load(
    dir: &TempDir,
    bytes: &[u8],
) -> Result<(
    std::collections::HashMap<String, mlxrs::Array>,
    std::collections::HashMap<String, GgufMetadata>,
)> {
    let path = dir.join("t.gguf");
    std::fs::write(&path, bytes)?;
    io::load_gguf(Path::new(&path))
}

fn assert_rejected(dir: &TempDir, bytes: &[u8], why: &str) {
    match load(dir, bytes) {
        Err(Error::Io(e)) => {
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
            let msg = e.to_string();
            assert!(msg.starts_with("malformed GGUF file"), "{msg}");
            assert!(msg.contains(why), "expected {why:?} in {msg:?}");
        }
        other => panic!("expected our InvalidData error ({why}), got {other:?}"),
    }
}

#[test]
fn hand_made_file_loads() -> Result<()> {
    let dir = TempDir::new("gguf-valid");
    let mut strings = Vec::new();
    strings.extend(STRING.to_le_bytes());
    strings.extend(2u64.to_le_bytes());
    gstr(&mut strings, b"a");
    gstr(&mut strings, b"bc");
    let mut ints = Vec::new();
    ints.extend(5u32.to_le_bytes()); // int32
    ints.extend(3u64.to_le_bytes());
    for v in [-1i32, 0, 7] {
        ints.extend(v.to_le_bytes());
    }
    let file = Gguf::new()
        .kv_str("general.name", "hand")
        .kv(b"count", U32, &9u32.to_le_bytes())
        .kv(b"tokens", ARRAY, &strings)
        .kv(b"ints", ARRAY, &ints)
        .kv(b"\xffkey", 7, &[1]) // a bool, under a key that is not UTF-8
        .tensor(b"w", &[3, 2], 0, 0, &f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
        .tensor(b"\xffv", &[1], 0, 24, &f32s(&[9.0]));
    let (arrays, meta) = load(&dir, &file.bytes())?;
    // A name that is not UTF-8 is found, under its lossy key.
    assert_eq!(arrays["\u{fffd}v"].to_vec::<f32>()?, [9.0]);
    let w = &arrays["w"];
    // GGUF lists dimensions innermost first: [3, 2] is MLX's shape [2, 3].
    assert_eq!(
        (w.shape(), w.to_vec::<f32>()?),
        (&[2, 3][..], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    );
    assert!(matches!(&meta["general.name"], GgufMetadata::String(s) if s == "hand"));
    assert!(matches!(&meta["tokens"], GgufMetadata::Strings(v) if v == &["a", "bc"]));
    let GgufMetadata::Array(count) = &meta["count"] else {
        panic!("{meta:?}")
    };
    assert_eq!(count.item::<u32>()?, 9);
    let GgufMetadata::Array(ints) = &meta["ints"] else {
        panic!("{meta:?}")
    };
    assert_eq!(ints.to_vec::<i32>()?, [-1, 0, 7]);
    let GgufMetadata::Array(flag) = &meta["\u{fffd}key"] else {
        panic!("{meta:?}")
    };
    assert!(flag.item::<bool>()?);
    Ok(())
}

#[test]
fn quantized_and_converted_tensors() -> Result<()> {
    let dir = TempDir::new("gguf-q");
    // One q8_0 block: f16 scale 0.5, then 32 signed bytes -16..16.
    let mut q8 = half::f16::from_f32(0.5).to_le_bytes().to_vec();
    q8.extend((0..32).map(|i| (i as i8 - 16) as u8));
    // bf16 [1.5, -2.0] is converted to float16.
    let bf16: Vec<u8> = [1.5f32, -2.0]
        .iter()
        .flat_map(|&v| half::bf16::from_f32(v).to_le_bytes())
        .collect();
    let file = Gguf::new().tensor(b"q.weight", &[32], 8, 0, &q8).tensor(
        b"b",
        &[2],
        30,
        64,
        &[vec![0; 30], bf16].concat(),
    );
    let (arrays, _) = load(&dir, &file.bytes())?;
    let w = &arrays["q.weight"];
    assert_eq!((w.shape(), w.dtype()), (&[8][..], mlxrs::Dtype::Uint32));
    let scales = &arrays["q.scales"];
    let biases = &arrays["q.biases"];
    assert_eq!(scales.to_vec::<half::f16>()?, [half::f16::from_f32(0.5)]);
    assert_eq!(biases.to_vec::<half::f16>()?, [half::f16::from_f32(-64.0)]);
    // MLX stores q + 128 as bytes: weight = byte * scale + bias = q * scale.
    let bytes = w.as_bytes()?;
    let dequantized: Vec<f32> = bytes.iter().map(|&b| f32::from(b) * 0.5 - 64.0).collect();
    let expected: Vec<f32> = (0..32).map(|i| (i - 16) as f32 * 0.5).collect();
    assert_eq!(dequantized, expected);
    let b = &arrays["b"];
    assert_eq!(b.dtype(), mlxrs::Dtype::Float16);
    assert_eq!(
        b.to_vec::<half::f16>()?,
        [half::f16::from_f32(1.5), half::f16::from_f32(-2.0)]
    );
    Ok(())
}

#[test]
fn headers_that_would_crash_mlx_are_rejected() -> Result<()> {
    let dir = TempDir::new("gguf-bad");
    let data = f32s(&[1.0, 2.0]);
    // A key length past the end of the file.
    let mut bytes = Gguf::new().kv_str("k", "v").bytes();
    bytes[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_rejected(&dir, &bytes, "metadata entry 0: key past the end");
    // A string value past the end.
    let mut v = Vec::new();
    v.extend(1_000_000u64.to_le_bytes());
    assert_rejected(
        &dir,
        &Gguf::new().kv(b"k", STRING, &v).bytes(),
        "string past the end",
    );
    // A u32 array longer than the file.
    let mut v = U32.to_le_bytes().to_vec();
    v.extend(1_000_000u64.to_le_bytes());
    assert_rejected(
        &dir,
        &Gguf::new().kv(b"k", ARRAY, &v).bytes(),
        "array past the end",
    );
    // More key-value pairs declared than present.
    let mut bytes = Gguf::new().kv_str("k", "v").bytes();
    bytes[16..24].copy_from_slice(&1000u64.to_le_bytes());
    assert!(load(&dir, &bytes).is_err());
    // `general.alignment = 0` (gguflib would divide by zero).
    let file = Gguf::new()
        .kv(b"general.alignment", U32, &0u32.to_le_bytes())
        .tensor(b"t", &[2], 0, 0, &data);
    assert_rejected(&dir, &file.bytes(), "`general.alignment` is 0");
    // 9 dimensions (gguflib asserts at most 8: an abort).
    let file = Gguf::new().tensor(b"t", &[1; 9], 0, 0, &data);
    assert_rejected(&dir, &file.bytes(), "9 dimensions");
    // A deprecated tensor type with 0-sized blocks (a division by zero).
    let file = Gguf::new().tensor(b"t", &[2], 4, 0, &data);
    assert_rejected(&dir, &file.bytes(), "deprecated tensor type 4");
    // A dimension over i32::MAX whose product wraps to a small size.
    let file = Gguf::new().tensor(b"t", &[1 << 62, 4], 0, 0, &data);
    assert_rejected(&dir, &file.bytes(), "dimensions too large for MLX");
    // A quantized tensor of rank 0 (MLX reads its last dimension).
    let file = Gguf::new().tensor(b"t", &[], 8, 0, &[0; 34]);
    assert_rejected(&dir, &file.bytes(), "quantized tensor of rank 0");
    // Far more tensors than fit.
    let mut bytes = Gguf::new().tensor(b"t", &[2], 0, 0, &data).bytes();
    bytes[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_rejected(&dir, &bytes, "more tensors declared than the file can hold");
    // A tensor name length past the end.
    let mut file = Gguf::new().tensor(b"t", &[2], 0, 0, &data);
    file.infos[0..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(load(&dir, &file.bytes()).is_err());
    // A name with `%` on a tensor MLX rejects, quoting the name: mlx-c 0.7.0 passed its
    // messages to printf as the format; mlxrs-sys builds it with a fix, so the text
    // arrives intact.
    let file = Gguf::new().tensor(b"%s%s%s%n", &[2], 0, 1 << 20, &data);
    match load(&dir, &file.bytes()) {
        Err(Error::Backend(msg)) => assert!(
            msg.contains("Tensor '%s%s%s%n' has a data offset past the end of the file"),
            "{msg}"
        ),
        other => panic!("expected MLX's error quoting the name, got {other:?}"),
    }
    let file = Gguf::new().tensor(b"%n.weight", &[33], 8, 0, &[0; 68]);
    match load(&dir, &file.bytes()) {
        Err(Error::Backend(msg)) => assert!(msg.contains("tensor %n.weight"), "{msg}"),
        other => panic!("expected MLX's error quoting the name, got {other:?}"),
    }
    Ok(())
}

#[test]
fn headers_mlx_rejects_itself_are_its_errors() -> Result<()> {
    let dir = TempDir::new("gguf-mlx");
    let data = f32s(&[1.0, 2.0]);
    // Data past the end of the file.
    let file = Gguf::new().tensor(b"t", &[2], 0, 1 << 20, &data);
    let msg = backend_message(load(&dir, &file.bytes()));
    assert!(
        msg.starts_with("[load_gguf] Tensor 't' has a data offset past the end"),
        "{msg}"
    );
    // Nested arrays.
    let mut v = ARRAY.to_le_bytes().to_vec();
    v.extend(1u64.to_le_bytes());
    let msg = backend_message(load(&dir, &Gguf::new().kv(b"k", ARRAY, &v).bytes()));
    assert_eq!(
        msg,
        "[load_gguf] Only supports loading 1-layer of nested arrays."
    );
    // An unknown value type.
    let msg = backend_message(load(&dir, &Gguf::new().kv(b"k", 99, &[0; 8]).bytes()));
    assert_eq!(msg, "[load_gguf] Received unexpected type.");
    // An unsupported tensor type (q5_0 is not converted).
    let file = Gguf::new().tensor(b"t", &[32], 6, 0, &[0; 22]);
    let msg = backend_message(load(&dir, &file.bytes()));
    assert_eq!(msg, "[load_gguf] gguf_tensor_to_f16 failed");
    Ok(())
}

#[test]
fn float64_metadata_follows_mlxs_reading() -> Result<()> {
    // MLX reads a float64 value as float32 and then advances by 4 bytes instead of 8, so
    // the key after one is misread: that must stay an `Ok` or an `Err`, never a crash.
    let dir = TempDir::new("gguf-f64");
    let file = Gguf::new().kv(b"pi", F64, &std::f64::consts::PI.to_le_bytes());
    let (_, meta) = load(&dir, &file.bytes())?;
    let GgufMetadata::Array(pi) = &meta["pi"] else {
        panic!("{meta:?}")
    };
    assert_eq!(pi.item::<f32>()?, std::f32::consts::PI);
    let file = Gguf::new()
        .kv(b"pi", F64, &std::f64::consts::PI.to_le_bytes())
        .kv_str("after", "x");
    let _ = load(&dir, &file.bytes());
    Ok(())
}

#[test]
fn gguf_goes_through_readers_and_writers() -> Result<()> {
    use std::collections::HashMap;
    use std::io::Cursor;
    let w = mlxrs::Array::from_slice(&[0.5f32, -1.0, 2.0, 8.0], &[2, 2])?;
    let arrays = HashMap::from([("w".to_string(), w)]);
    let metadata = HashMap::from([
        ("name".to_string(), GgufMetadata::from("tiny")),
        (
            "tags".to_string(),
            GgufMetadata::Strings(vec!["a".into(), "bc".into()]),
        ),
    ]);
    let mut buffer = Cursor::new(Vec::new());
    io::save_gguf_to_writer(&mut buffer, &arrays, &metadata)?;
    let bytes = buffer.into_inner();
    assert_eq!(&bytes[..4], b"GGUF", "a GGUF file was written");
    // The same bytes as a file on disk.
    let dir = TempDir::new("gguf-writer");
    let path = dir.join("t.gguf");
    io::save_gguf(Path::new(&path), &arrays, &metadata)?;
    assert_eq!(std::fs::read(&path)?, bytes);

    let (loaded, meta) = io::load_gguf_from_reader(Cursor::new(&bytes))?;
    assert_eq!(loaded["w"].shape(), &[2, 2]);
    assert_eq!(loaded["w"].to_vec::<f32>()?, [0.5, -1.0, 2.0, 8.0]);
    assert!(matches!(&meta["name"], GgufMetadata::String(s) if s == "tiny"));
    assert!(matches!(&meta["tags"], GgufMetadata::Strings(v) if v == &["a", "bc"]));

    // A truncated stream is an error, as a truncated file is.
    let cut = &bytes[..bytes.len() / 2];
    assert!(io::load_gguf_from_reader(Cursor::new(cut)).is_err());
    // A failing reader's error comes back as itself.
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("the disk is gone"))
        }
    }
    match io::load_gguf_from_reader(Broken) {
        Err(Error::Io(e)) => assert_eq!(e.to_string(), "the disk is gone"),
        other => panic!("expected the reader's error, got {other:?}"),
    }
    Ok(())
}
