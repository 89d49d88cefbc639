//! Files: mlxrs saves (`.npy`, `.safetensors`, `.gguf`; by path and through a
//! `Write`), Python MLX loads the same file. A case's outputs are its inputs (what was
//! saved) followed by what mlxrs loads back; Python gives what it loads, for both.
//! Likewise for exported functions (`.mlxfn`): the outputs are the function's results
//! and those of the function mlxrs imports back; Python calls what it imports.
//!
//! The files go to `files/` in `MLXRS_ORACLE_DIR` (the parameter `file` is relative to
//! it), or to a temporary folder for the smoke test.

use std::collections::HashMap;
use std::path::PathBuf;

use mlxrs::io::{self, GgufMetadata};
use mlxrs::{Array, Result, export, ops};

use super::*;
use crate::harness::{Dom, P, Table};

/// The folder of the smoke test's files (removed when it ends).
pub fn scratch() -> PathBuf {
    std::env::temp_dir().join(format!("mlxrs-oracle-{}", std::process::id()))
}

/// Where the case files go (created on first use).
fn file(name: &str) -> Result<PathBuf> {
    let base = std::env::var_os("MLXRS_ORACLE_DIR").map_or_else(scratch, PathBuf::from);
    let dir = base.join("files");
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(name))
}

fn named(x: &[Array]) -> HashMap<String, Array> {
    x.iter()
        .enumerate()
        .map(|(i, a)| (format!("a{i}"), a.clone()))
        .collect()
}

/// The loaded arrays `a0`, `a1`, ... in order.
fn in_order(loaded: &HashMap<String, Array>, n: usize) -> Result<Vec<Array>> {
    (0..n)
        .map(|i| {
            loaded
                .get(&format!("a{i}"))
                .cloned()
                .ok_or_else(|| mlxrs::Error::Backend(format!("a{i} was not loaded")))
        })
        .collect()
}

pub fn cases(t: &mut Table) -> Result<()> {
    let dom = Dom::U(-100.0, 100.0);
    let dtypes = [F32, F16, BF16, F64, I32, U8, I64, BOOL, C64];
    for (k, d) in dtypes.into_iter().enumerate() {
        for (j, shape) in [&[2, 3][..], &[], &[4, 1, 2]].into_iter().enumerate() {
            let x = t.input(d, shape, dom)?;
            // By path.
            let name = format!("save_{k}_{j}.npy");
            let p = P::new()
                .s("_special", "load_files")
                .s("file", &format!("files/{name}"));
            t.add("save", p, vec![x.clone()], move |x| {
                let path = file(&name)?;
                io::save(&path, &x[0])?;
                Ok(vec![x[0].clone(), io::load(&path)?])
            });
            // Through `Write`/`Read`.
            let name = format!("writer_{k}_{j}.npy");
            let p = P::new()
                .s("_special", "load_files")
                .s("file", &format!("files/{name}"));
            t.add("save", p, vec![x], move |x| {
                let path = file(&name)?;
                io::save_to_writer(std::fs::File::create(&path)?, &x[0])?;
                let back = io::load_from_reader(std::fs::File::open(&path)?)?;
                Ok(vec![x[0].clone(), back])
            });
        }
    }
    // safetensors: several arrays and metadata, by path and through `Write`.
    for (k, group) in [[F32, BF16, I32], [F16, BOOL, U8], [C64, I64, F32]]
        .into_iter()
        .enumerate()
    {
        let xs = group
            .iter()
            .map(|&d| t.input(d, &[3, 2], dom))
            .collect::<Result<Vec<_>>>()?;
        let metadata = HashMap::from([
            ("format".to_string(), "mlx".to_string()),
            ("case".to_string(), format!("{k}")),
        ]);
        for through_writer in [false, true] {
            let name = format!("save_safetensors_{k}_{through_writer}.safetensors");
            let p = P::new()
                .s("_special", "load_files")
                .s("file", &format!("files/{name}"))
                .s("metadata", &format!("format=mlx,case={k}"));
            let metadata = metadata.clone();
            t.add("save_safetensors", p, xs.clone(), move |x| {
                let path = file(&name)?;
                let (loaded, meta) = if through_writer {
                    io::save_safetensors_to_writer(
                        std::fs::File::create(&path)?,
                        &named(x),
                        &metadata,
                    )?;
                    io::load_safetensors_from_reader(std::fs::File::open(&path)?)?
                } else {
                    io::save_safetensors(&path, &named(x), &metadata)?;
                    io::load_safetensors(&path)?
                };
                if meta != metadata {
                    return Err(mlxrs::Error::Backend(format!(
                        "metadata read back as {meta:?}"
                    )));
                }
                Ok(x.iter()
                    .cloned()
                    .chain(in_order(&loaded, x.len())?)
                    .collect())
            });
        }
    }
    // gguf (float32 and float16; MLX 0.32.2 does not save bfloat16 to gguf).
    for (k, group) in [[F32, F16], [F16, F32]].into_iter().enumerate() {
        let xs = group
            .iter()
            .map(|&d| t.input(d, &[4, 3], dom))
            .collect::<Result<Vec<_>>>()?;
        let name = format!("save_gguf_{k}.gguf");
        let p = P::new()
            .s("_special", "load_files")
            .s("file", &format!("files/{name}"));
        t.add("save_gguf", p, xs, move |x| {
            let path = file(&name)?;
            let metadata = HashMap::from([
                (
                    "general.name".to_string(),
                    GgufMetadata::String("oracle".into()),
                ),
                (
                    "oracle.value".to_string(),
                    GgufMetadata::Array(Array::from(3.5f32)),
                ),
            ]);
            io::save_gguf(&path, &named(x), &metadata)?;
            let (loaded, _) = io::load_gguf(&path)?;
            Ok(x.iter()
                .cloned()
                .chain(in_order(&loaded, x.len())?)
                .collect())
        });
    }
    exports(t)
}

fn tanh_matmul(x: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![ops::add(
        &ops::tanh(&ops::matmul(&x[0], &x[1])?)?,
        &Array::from(1.0f32),
    )?])
}

fn softmax_scaled(x: &[Array]) -> Result<Vec<Array>> {
    let s = ops::softmax_axis(&x[0], -1, false)?;
    Ok(vec![
        ops::multiply(&s, &ops::sum(&x[0], false)?)?,
        ops::max_axis(&x[0], 0, false)?,
    ])
}

fn exp_twice(x: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![ops::multiply(
        &ops::exp(&x[0])?,
        &Array::from(2.0f32),
    )?])
}

/// `export::export_function`, `exporter` and `import_function` (Python:
/// `mx.import_function` on the file mlxrs wrote).
///
/// Only on a thread whose default stream is stream 0: MLX 0.32.2 runs an imported
/// function on `Stream(cpu, 0)`, which fails on any other thread ("There is no
/// Stream(cpu, 0) in current thread.", in Python too). `cargo xtask oracle` runs the
/// cases on the first thread; the smoke test, among parallel tests, may not.
fn exports(t: &mut Table) -> Result<()> {
    if mlxrs::Stream::current()?.index()? != 0 {
        eprintln!("oracle: export cases skipped (this thread's stream is not stream 0)");
        return Ok(());
    }
    let r = Dom::U(-1.0, 1.0);
    type Fun = fn(&[Array]) -> Result<Vec<Array>>;
    let funs: [(&str, Fun, &[&[i32]]); 2] = [
        ("tanh_matmul", tanh_matmul, &[&[3, 4], &[4, 2]]),
        ("softmax_scaled", softmax_scaled, &[&[2, 5]]),
    ];
    for (name, f, shapes) in funs {
        let xs = shapes
            .iter()
            .map(|s| t.input(F32, s, r))
            .collect::<Result<Vec<_>>>()?;
        let file_name = format!("export_{name}.mlxfn");
        let p = P::new()
            .s("_special", "import_function")
            .s("file", &format!("files/{file_name}"));
        t.add("export_function", p, xs, move |x| {
            let path = file(&file_name)?;
            export::export_function(&path, f, x, false)?;
            let imported = export::import_function(&path)?.call(x)?;
            Ok(f(x)?.into_iter().chain(imported).collect())
        });
    }
    // Shapeless: traced on a [3, 2] input, called on the case's [2, 5] input (the number
    // of dimensions must match).
    let x = t.input(F32, &[2, 5], r)?;
    let p = P::new()
        .s("_special", "import_function")
        .s("file", "files/export_shapeless.mlxfn");
    t.add("export_function", p, vec![x], move |x| {
        let path = file("export_shapeless.mlxfn")?;
        export::export_function(
            &path,
            exp_twice,
            &[Array::from_slice(&[0.0f32; 6], &[3, 2])?],
            true,
        )?;
        let imported = export::import_function(&path)?.call(x)?;
        Ok(exp_twice(x)?.into_iter().chain(imported).collect())
    });
    // Keyword arguments.
    let xs = vec![t.input(F32, &[3, 4], r)?, t.input(F32, &[4], r)?];
    let p = P::new()
        .s("_special", "import_function")
        .s("file", "files/export_kwargs.mlxfn")
        .is("kwargs_at", &[1])
        .raw("kwargs", "[\"bias\"]");
    t.add("export_function", p, xs, move |x| {
        let path = file("export_kwargs.mlxfn")?;
        let f = |args: &[Array], kw: &HashMap<String, Array>| {
            Ok(vec![ops::subtract(&ops::sin(&args[0])?, &kw["bias"])?])
        };
        let kwargs = HashMap::from([("bias".to_string(), x[1].clone())]);
        export::export_function_kwargs(&path, f, &x[..1], &kwargs, false)?;
        let imported = export::import_function(&path)?.call_kwargs(&x[..1], &kwargs)?;
        Ok(f(&x[..1], &kwargs)?.into_iter().chain(imported).collect())
    });
    // An exporter traced on two shapes; imported and called with the second.
    let x = t.input(F32, &[4, 3], r)?;
    let p = P::new()
        .s("_special", "import_function")
        .s("file", "files/exporter.mlxfn");
    t.add("exporter", p, vec![x], move |x| {
        let path = file("exporter.mlxfn")?;
        let e = export::exporter(&path, exp_twice, false)?;
        e.call(&[Array::from_slice(&[0.5f32; 2], &[2])?])?;
        e.call(x)?;
        e.close()?;
        let imported = export::import_function(&path)?.call(x)?;
        Ok(exp_twice(x)?.into_iter().chain(imported).collect())
    });
    Ok(())
}
