//! Embeds the folder of MLX's library as an rpath, as the README's "Using mlxrs from your
//! crate" says, so the fuzz targets run without `LD_LIBRARY_PATH`.
fn main() {
    if let Ok(dir) = std::env::var("DEP_MLXRS_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
