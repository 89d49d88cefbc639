//! Prints what mlxrs runs on: MLX's version, the BLAS that serves it, allocator tuning.
//!
//! `cargo xtask example info`

fn main() -> mlxrs::Result<()> {
    println!("{}", mlxrs::info()?);
    Ok(())
}
