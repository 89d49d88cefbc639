//! `MLXRS_DEFAULT_DEVICE`: process-global (read once, before the first MLX call), so this
//! binary has no test harness and runs each case in a child process of its own (itself,
//! re-executed with `--child`).

use std::process::Command;

use mlxrs::{Array, Device, DeviceType};

/// In the child: the default device's type and a computed value, on stdout.
fn child() -> mlxrs::Result<()> {
    let kind = Device::default_device()?.device_type()?;
    let x = (&Array::from_slice(&[1.0f32, 2.0], &[2])? * 2.0)?;
    println!("{kind:?} {:?}", x.to_vec::<f32>()?);
    Ok(())
}

/// Runs the child with `MLXRS_DEFAULT_DEVICE` set to `value`: (stdout, stderr).
fn run(value: &str) -> (String, String) {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .arg("--child")
        .env("MLXRS_DEFAULT_DEVICE", value)
        .output()
        .expect("the child runs");
    assert!(out.status.success(), "child with {value:?} failed: {out:?}");
    (
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn main() {
    if std::env::args().any(|a| a == "--child") {
        if let Err(e) = child() {
            eprintln!("child failed: {e}");
            std::process::exit(1);
        }
        return;
    }
    // MLX's own choice, without the variable.
    let natural = if Device::gpu().is_available().unwrap_or(false) {
        "Gpu"
    } else {
        "Cpu"
    };
    // This process: the variable as `cargo xtask test` sets it (cpu), or MLX's choice.
    let here = if natural == "Gpu" && std::env::var("MLXRS_DEFAULT_DEVICE").as_deref() != Ok("cpu")
    {
        DeviceType::Gpu
    } else {
        DeviceType::Cpu
    };
    assert_eq!(
        Device::default_device().unwrap().device_type().unwrap(),
        here
    );

    let (out, err) = run("cpu");
    assert_eq!(out, "Cpu [2.0, 4.0]", "stderr: {err}");
    assert!(err.is_empty(), "no warning for a valid value: {err}");

    let (out, err) = run("tpu");
    assert_eq!(out, format!("{natural} [2.0, 4.0]"));
    assert!(
        err.contains("ignoring MLXRS_DEFAULT_DEVICE=\"tpu\" (expected cpu or gpu)"),
        "{err}"
    );

    let (out, err) = run("gpu");
    if natural == "Gpu" {
        assert_eq!(out, "Gpu [2.0, 4.0]", "stderr: {err}");
    } else {
        // No GPU: MLX refuses, the process keeps the CPU and says why on one line.
        assert_eq!(out, "Cpu [2.0, 4.0]");
        assert!(
            err.starts_with("mlxrs: ignoring MLXRS_DEFAULT_DEVICE=gpu: "),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    println!("global_default_device: 3 cases passed");
}
