use mlxrs::nn::Module;

#[derive(Module)]
struct Dotted {
    #[module(rename = "a.b")]
    weight: mlxrs::Array,
}

#[derive(Module)]
struct Plain {
    #[module(rename = "Width")]
    width: usize,
}

fn main() {}
