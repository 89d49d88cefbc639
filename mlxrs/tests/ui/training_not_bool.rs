use mlxrs::nn::Module;

#[derive(Module)]
struct Model {
    weight: mlxrs::Array,
    #[module(training)]
    mode: u8,
}

fn main() {}
